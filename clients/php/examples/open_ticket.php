<?php

/**
 * Open a ticket about a server.
 *
 *     php open_ticket.php [--wsdl=URL --user=NAME --password=SECRET] [SERVER-NUMBER]
 *
 * Without a server number, the first online server the user can see is used.
 */

declare(strict_types=1);

use Core\Client\Exception\CoreException;
use Core\Client\Exception\TransportException;
use Core\Client\Input\TicketInput;

require __DIR__ . '/../autoload.php';
require __DIR__ . '/connect.php';

[$core, $arguments] = connect();

try {
    $serverNumber = $arguments[0] ?? null;
    if ($serverNumber === null) {
        $online = $core->searchServers(['status' => 'online'], pageSize: 1);
        if (count($online) === 0) {
            fwrite(STDERR, "no online server to open a ticket about\n");
            exit(1);
        }
        $serverNumber = $online->items[0]->number;
    }

    $server = $core->getServer($serverNumber);
    $ticket = $core->openTicket(new TicketInput(
        accountNumber: $server->accountNumber,
        subject: "{$server->hostname} does not answer on port 443",
        description: "Checked at " . gmdate('H:i') . " UTC from two networks.",
        severity: 'high',
        serverNumber: $server->number,
    ));
} catch (CoreException $error) {
    fwrite(STDERR, "refused ({$error->faultCode()}): {$error->getMessage()}\n");
    exit(1);
} catch (TransportException $error) {
    fwrite(STDERR, "CORE is not reachable: {$error->getMessage()}\n");
    exit(1);
}

printf(
    "opened %s about %s for %s: %s, response due %s\n",
    $ticket->number,
    $ticket->serverNumber,
    $ticket->accountNumber,
    $ticket->status,
    $ticket->responseDueAt->format('Y-m-d H:i \U\T\C'),
);
