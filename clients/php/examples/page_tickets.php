<?php

/**
 * List every ticket of an account, page by page.
 *
 *     php page_tickets.php [--wsdl=URL --user=NAME --password=SECRET] [ACCOUNT-NUMBER]
 *
 * Without an account number, the first active account the user can see is used.
 */

declare(strict_types=1);

use Core\Client\Exception\ExceptionInterface;
use Core\Client\Input\TicketFilter;

require __DIR__ . '/../autoload.php';
require __DIR__ . '/connect.php';

[$core, $arguments] = connect();

try {
    $accountNumber = $arguments[0] ?? $core->searchAccounts(['status' => 'active'], 1)->items[0]->number;
    $filter = new TicketFilter(accountNumber: $accountNumber);

    $cursor = null;
    $count = 0;
    do {
        $page = $core->searchTickets($filter, pageSize: 10, cursor: $cursor);
        foreach ($page as $ticket) {
            $count++;
            printf("%s  %-16s %-9s %s\n", $ticket->number, $ticket->status, $ticket->severity, $ticket->subject);
        }
        $cursor = $page->nextCursor;
    } while ($cursor !== null);
} catch (ExceptionInterface $error) {
    fwrite(STDERR, "failed: {$error->getMessage()}\n");
    exit(1);
}

echo "{$count} tickets for {$accountNumber}\n";
