<?php

declare(strict_types=1);

namespace Core\Client\Tests;

/**
 * The examples of the README run against the server and do what they say.
 */
final class ExamplesTest extends CoreTestCase
{
    public function testOpenTicketForAServer(): void
    {
        $account = self::newActiveAccount();
        $server = self::newOnlineServer($account->number);

        [$status, $output] = $this->runExample('open_ticket.php', [$server->number]);
        $this->assertSame(0, $status, $output);
        $expected = "/^opened (T-\\d+) about {$server->number} for {$account->number}: new/";
        $this->assertMatchesRegularExpression($expected, $output);

        preg_match('/^opened (T-\d+)/', $output, $match);
        $this->assertSame('high', self::client()->getTicket($match[1])->severity);
    }

    public function testPageThroughAnAccountsTickets(): void
    {
        $account = self::newActiveAccount();
        for ($i = 1; $i <= 12; $i++) {
            self::client()->openTicket([
                'accountNumber' => $account->number,
                'subject' => "Issue {$i}",
                'description' => 'x',
            ]);
        }

        [$status, $output] = $this->runExample('page_tickets.php', [$account->number], withOptions: true);
        $this->assertSame(0, $status, $output);
        $this->assertSame(12, preg_match_all('/^T-\d+ .* Issue \d+$/m', $output));
        $this->assertStringContainsString("12 tickets for {$account->number}", $output);
    }

    public function testHandleAValidationFault(): void
    {
        $account = self::newActiveAccount();

        [$status, $output] = $this->runExample('validation_fault.php', [$account->number]);
        $this->assertSame(0, $status, $output);
        $business = 'refused, field postalCode, rule postal_code (Client.Validation)';
        $schema = 'refused, field name, rule maxLength (Client.SchemaValidationError)';
        $this->assertStringContainsString($business, $output);
        $this->assertStringContainsString($schema, $output);
    }

    public function testMissingSettingsAreReported(): void
    {
        [$status, $output] = $this->runExample('page_tickets.php', [], environment: ['CORE_WSDL' => '']);
        $this->assertSame(2, $status);
        $this->assertStringContainsString('give --wsdl=... or set CORE_WSDL', $output);
    }

    /**
     * Run an example; its settings come from the environment or from options.
     *
     * @param list<string>          $arguments
     * @param array<string, string> $environment overrides
     * @return array{int, string} the exit status and the output (both streams)
     */
    private function runExample(
        string $example,
        array $arguments,
        bool $withOptions = false,
        array $environment = [],
    ): array {
        $settings = ['CORE_WSDL' => self::wsdl(), 'CORE_USER' => 'alice', 'CORE_PASSWORD' => self::demoPassword()];
        $command = [PHP_BINARY, dirname(__DIR__) . "/examples/{$example}"];
        if ($withOptions) {
            $command[] = "--wsdl={$settings['CORE_WSDL']}";
            $command[] = '--user=alice';
            $command[] = "--password={$settings['CORE_PASSWORD']}";
            $settings = ['CORE_WSDL' => '', 'CORE_USER' => '', 'CORE_PASSWORD' => ''];
        }

        // The examples keep their WSDL copies in the default place, under TMPDIR.
        $env = array_merge(getenv(), $settings, ['TMPDIR' => self::cacheDir()], $environment);
        $streams = [1 => ['pipe', 'w'], 2 => ['redirect', 1]];
        $process = proc_open([...$command, ...$arguments], $streams, $pipes, null, $env);
        $this->assertIsResource($process);
        $output = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);

        return [proc_close($process), $output];
    }
}
