<?php

/**
 * Handle validation faults: a wrong postal code, and a name that is too long.
 *
 *     php validation_fault.php [--wsdl=URL --user=NAME --password=SECRET] [ACCOUNT-NUMBER]
 *
 * Both are refused with a ValidationException naming the field; the first by
 * CORE's business rules (with a business code and rule), the second by the
 * WSDL's schema (with the schema facet as rule).
 */

declare(strict_types=1);

use Core\Client\Exception\ExceptionInterface;
use Core\Client\Exception\ValidationException;
use Core\Client\Input\AccountInput;
use Core\Client\Input\ContactInput;

require __DIR__ . '/../autoload.php';
require __DIR__ . '/connect.php';

[$core, $arguments] = connect();

$attempts = [
    'a US contact with postal code ABCDE' => static function () use ($core, $arguments): void {
        $accountNumber = $arguments[0] ?? $core->searchAccounts(pageSize: 1)->items[0]->number;
        $core->addContact($accountNumber, new ContactInput(
            name: 'Jo Example',
            role: 'technical',
            country: 'US',
            postalCode: 'ABCDE',
        ));
    },
    'an account name of 200 characters' => static function () use ($core): void {
        $core->createAccount(new AccountInput(name: str_repeat('n', 200)));
    },
];

foreach ($attempts as $what => $attempt) {
    try {
        $attempt();
        echo "{$what}: accepted, unexpectedly\n";
        exit(1);
    } catch (ValidationException $error) {
        printf(
            "%s: refused, field %s, rule %s (%s)\n  %s\n",
            $what,
            $error->field() ?? '-',
            $error->rule() ?? '-',
            $error->faultCode(),
            $error->getMessage(),
        );
    } catch (ExceptionInterface $error) {
        fwrite(STDERR, "{$what}: failed: {$error->getMessage()}\n");
        exit(1);
    }
}
