<?php

/**
 * Run the plain SoapClient scenario and print what it created and read as JSON.
 *
 *     php run_raw_scenario.php WSDL-URL USER PASSWORD
 *
 * Missing arguments come from CORE_WSDL, CORE_USER and CORE_PASSWORD.
 */

declare(strict_types=1);

require __DIR__ . '/raw_scenario.php';

[$wsdl, $username, $password] = array_slice($argv, 1) + [
    getenv('CORE_WSDL') ?: '',
    getenv('CORE_USER') ?: 'alice',
    getenv('CORE_PASSWORD') ?: '',
];
$result = core_raw_scenario($wsdl, $username, $password);
$flags = JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;
echo json_encode($result, $flags), "\n";
