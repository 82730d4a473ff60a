<?php
// Times the PHP reference in-process: SoapServer->handle() on prepared
// requests, N times per operation, with the output captured; apples to apples
// with CORE's in-process WSGI figure. Reads a job (JSON) from the file named
// as the first argument and prints the timings as JSON.
//
//   php bench/php/inprocess.php job.json

declare(strict_types=1);

require __DIR__ . '/server.php';

$job = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
[$server, $db] = core_reference_server($job['wsdl'], $job['db']);
$_SERVER['PHP_AUTH_USER'] = $job['username'];
$_SERVER['PHP_AUTH_PW'] = $job['password'];

/** Run one request through the server; return [seconds, statements, response]. */
function handle_once(SoapServer $server, CountingDb $db, string $request): array
{
    $before = $db->statements;
    $started = hrtime(true);
    ob_start();
    $server->handle($request);
    $response = ob_get_clean();
    $elapsed = (hrtime(true) - $started) / 1e9;
    return [$elapsed, $db->statements - $before, $response];
}

function is_fault(string $response): bool
{
    return str_contains($response, 'Fault>');
}

$results = [];
foreach ($job['operations'] as $operation) {
    $bodies = $operation['bodies'];
    [$first, $firstQueries, $sample] = handle_once($server, $db, $bodies[0]);
    $times = [];
    $queries = [];
    $errors = is_fault($sample) ? 1 : 0;
    $errorSample = $errors ? substr($sample, 0, 400) : '';
    $deadline = hrtime(true) + (int) ($job['max_seconds'] * 1e9);
    for ($index = 0; $index < $job['calls']; $index++) {
        [$elapsed, $count, $response] = handle_once($server, $db, $bodies[($index + 1) % count($bodies)]);
        $times[] = $elapsed;
        $queries[] = $count;
        if (is_fault($response)) {
            $errors++;
            $errorSample = $errorSample ?: substr($response, 0, 400);
        }
        if (hrtime(true) > $deadline && $index >= 4) {
            break;
        }
    }
    $results[$operation['name']] = [
        'first_seconds' => $first,
        'first_queries' => $firstQueries,
        'seconds' => $times,
        'queries' => $queries,
        'errors' => $errors,
        'error_sample' => $errorSample,
        'sample' => $sample,
    ];
}

echo json_encode(['php' => PHP_VERSION, 'operations' => $results], JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
