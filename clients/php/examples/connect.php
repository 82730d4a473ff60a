<?php

/**
 * Shared start of the examples: the client, from options or the environment.
 *
 * Every example takes --wsdl=URL --user=NAME --password=SECRET, or reads
 * CORE_WSDL, CORE_USER and CORE_PASSWORD; its own arguments follow.
 */

declare(strict_types=1);

use Core\Client\CoreClient;

/**
 * The client and the example's own positional arguments.
 *
 * @return array{0: CoreClient, 1: list<string>}
 */
function connect(): array
{
    global $argv;

    $options = getopt('', ['wsdl:', 'user:', 'password:'], $rest);
    $setting = static function (string $option, string $variable) use ($options): string {
        $value = $options[$option] ?? getenv($variable);
        if (!is_string($value) || $value === '') {
            fwrite(STDERR, "give --{$option}=... or set {$variable}\n");
            exit(2);
        }

        return $value;
    };

    $client = new CoreClient(
        $setting('wsdl', 'CORE_WSDL'),
        $setting('user', 'CORE_USER'),
        $setting('password', 'CORE_PASSWORD'),
    );

    return [$client, array_values(array_slice($argv, $rest))];
}
