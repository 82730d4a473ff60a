<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Model\Account;
use Core\Client\Model\Comment;
use Core\Client\Model\Contact;
use Core\Client\Model\FieldChange;
use Core\Client\Model\HistoryEntry;
use Core\Client\Model\Ticket;

/**
 * Lists are arrays whatever their length, and pages follow their cursors.
 */
final class ListShapesTest extends CoreTestCase
{
    public function testContactListsOfNoneOneAndTwo(): void
    {
        $core = self::client();
        $account = $core->createAccount(['name' => self::unique('Lists')]);
        $this->assertSame([], $core->listContacts($account->number));

        $core->addContact($account->number, ['name' => 'Only One', 'role' => 'primary', 'country' => 'FR']);
        $one = $core->listContacts($account->number);
        $this->assertTrue(array_is_list($one));
        $this->assertCount(1, $one);
        $this->assertContainsOnlyInstancesOf(Contact::class, $one);

        $core->addContact($account->number, ['name' => 'Second', 'role' => 'technical', 'country' => 'FR']);
        $names = array_map(fn (Contact $c) => $c->name, $core->listContacts($account->number));
        $this->assertSame(['Only One', 'Second'], $names);
    }

    public function testHistoryOfOneEntryWithOneChange(): void
    {
        $core = self::client();
        $account = $core->createAccount(['name' => self::unique('History')]);
        $history = $core->getHistory('account', $account->number);
        $this->assertCount(1, $history);
        $this->assertContainsOnlyInstancesOf(HistoryEntry::class, $history);

        $core->updateAccount($account->number, ['slaTier' => 'premium'], 1);
        $changes = $core->getHistory('account', $account->number)[1]->changes;
        $this->assertEquals([new FieldChange('sla_tier', 'standard', 'premium')], $changes);
    }

    public function testHistoryOfAnUnknownEntityIsEmpty(): void
    {
        $this->assertSame([], self::client()->getHistory('server', 'S-999999'));
    }

    public function testCommentsOfNoneAndOne(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $ticket = $core->openTicket(['accountNumber' => $account->number, 'subject' => 'Quiet', 'description' => 'x']);
        $this->assertSame([], $core->getTicket($ticket->number)->comments);

        $core->addComment($ticket->number, 'the only comment', true);
        $comments = $core->getTicket($ticket->number)->comments;
        $this->assertCount(1, $comments);
        $this->assertInstanceOf(Comment::class, $comments[0]);
        $this->assertSame('the only comment', $comments[0]->body);
    }

    public function testPagesOfNoneAndOne(): void
    {
        $core = self::client();
        $empty = $core->searchAccounts(['text' => 'no account is called ' . bin2hex(random_bytes(8))]);
        $this->assertSame([], $empty->items);
        $this->assertNull($empty->nextCursor);
        $this->assertCount(0, $empty);

        $name = self::unique('Singular');
        $core->createAccount(['name' => $name]);
        $one = $core->searchAccounts(['text' => $name]);
        $this->assertSame([$name], array_map(fn (Account $a) => $a->name, $one->items));
        $this->assertFalse($one->hasMore());
    }

    public function testPagingThroughAnAccountsTickets(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $opened = [];
        for ($i = 1; $i <= 5; $i++) {
            $opened[] = $core->openTicket([
                'accountNumber' => $account->number,
                'subject' => "Ticket {$i}",
                'description' => 'paging',
            ])->number;
        }

        $sizes = [];
        $seen = [];
        $cursor = null;
        do {
            $page = $core->searchTickets(['accountNumber' => $account->number], 2, $cursor);
            $sizes[] = count($page);
            foreach ($page as $ticket) {
                $seen[] = $ticket->number;
            }
            $cursor = $page->nextCursor;
        } while ($cursor !== null);

        $this->assertSame([2, 2, 1], $sizes);
        $this->assertSame(array_reverse($opened), $seen, 'newest first, each once');
    }

    public function testPagingThroughAllActiveAccounts(): void
    {
        $seen = [];
        $cursor = null;
        do {
            $page = self::client()->searchAccounts(['status' => 'active'], 7, $cursor);
            $this->assertLessThanOrEqual(7, count($page));
            $seen = [...$seen, ...array_map(fn (Account $a) => $a->number, $page->items)];
            $cursor = $page->nextCursor;
        } while ($cursor !== null);

        $this->assertGreaterThan(7, count($seen));
        $this->assertSame(count($seen), count(array_unique($seen)));
    }

    public function testSearchResultsOfTicketsAreTickets(): void
    {
        $page = self::client()->searchTickets(null, 3);
        $this->assertContainsOnlyInstancesOf(Ticket::class, $page->items);
        $this->assertTrue(array_is_list($page->items));
    }
}
