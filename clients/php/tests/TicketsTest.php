<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Exception\ValidationException;
use Core\Client\Input\TicketFilter;
use Core\Client\Input\TicketInput;
use Core\Client\Model\Comment;
use Core\Client\Model\Ticket;

/**
 * The ticket operations through the client.
 */
final class TicketsTest extends CoreTestCase
{
    public function testLifeCycleWithComments(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $server = self::newOnlineServer($account->number);

        $ticket = $core->openTicket(new TicketInput(
            accountNumber: $account->number,
            subject: 'Disk full',
            description: "Line one\nline two",
            severity: 'high',
            serverNumber: $server->number,
        ));
        $this->assertSame(['new', 'high', $server->number, 'alice', []], [
            $ticket->status, $ticket->severity, $ticket->serverNumber, $ticket->openedBy, $ticket->comments,
        ]);
        $this->assertGreaterThan($ticket->createdAt, $ticket->responseDueAt);
        $this->assertNull($ticket->respondedAt);

        $comment = $core->addComment($ticket->number, 'Looking into it', true);
        $this->assertSame([$ticket->number, 'alice', true], [
            $comment->ticketNumber, $comment->author, $comment->public,
        ]);
        $core->addComment($ticket->number, 'internal note', false);

        $assigned = $core->assignTicket($ticket->number, 'bob');
        $this->assertSame(['bob', 'open'], [$assigned->assignee, $assigned->status]);
        $this->assertNull($core->assignTicket($ticket->number, null)->assignee);

        $this->fault(ValidationException::class, fn () => $core->changeTicketStatus($ticket->number, 'solved'));
        $solved = $core->changeTicketStatus($ticket->number, 'solved', 'Freed space');
        $this->assertSame(['solved', 'Freed space'], [$solved->status, $solved->resolution]);
        $this->assertNotNull($solved->solvedAt);

        $full = $core->getTicket($ticket->number);
        $this->assertSame([true, false], array_map(fn (Comment $c) => $c->public, $full->comments));
        $this->assertNotNull($full->respondedAt);

        $found = $core->searchTickets(new TicketFilter(accountNumber: $account->number, status: 'solved'));
        $this->assertSame([$ticket->number], array_map(fn (Ticket $t) => $t->number, $found->items));
    }

    public function testCustomerSeesPublicCommentsOnly(): void
    {
        $carl = self::client('carl');
        $own = (string) $carl->whoAmI()->accountNumber;
        $ticket = self::client()->openTicket(['accountNumber' => $own, 'subject' => 'Hi', 'description' => 'x']);
        self::client()->addComment($ticket->number, 'for the customer', true);
        self::client()->addComment($ticket->number, 'staff only', false);

        $seen = $carl->getTicket($ticket->number);
        $this->assertSame(['for the customer'], array_map(fn (Comment $c) => $c->body, $seen->comments));
    }
}
