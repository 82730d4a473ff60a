<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Model\FieldChange;
use Core\Client\Model\HistoryEntry;

/**
 * ping, whoAmI and getHistory, with both ways of signing in.
 */
final class GeneralTest extends CoreTestCase
{
    public function testPingNeedsNoValidCredentials(): void
    {
        $nobody = self::newClient('nobody', 'no password');
        $ping = $nobody->ping();

        $this->assertNotSame('', $ping->serviceVersion);
        $this->assertGreaterThanOrEqual(1, $ping->schemaVersion);
        $this->assertSame('UTC', $ping->serverTime->getTimezone()->getName());
        $this->assertLessThan(300, abs($ping->serverTime->getTimestamp() - time()));
    }

    public function testWhoAmIWithBasicAndWsSecurity(): void
    {
        $alice = self::client('alice')->whoAmI();
        $this->assertSame(['alice', 'agent', true], [$alice->username, $alice->role, $alice->active]);

        $rita = self::client('rita', auth: CoreClient::AUTH_WSSE)->whoAmI();
        $this->assertSame(['rita', 'readonly'], [$rita->username, $rita->role]);

        $carl = self::client('carl', auth: CoreClient::AUTH_WSSE)->whoAmI();
        $this->assertSame('customer', $carl->role);
        $this->assertMatchesRegularExpression('/^A-\d+$/', (string) $carl->accountNumber);
    }

    public function testHistoryOfAnAccountOldestFirst(): void
    {
        $account = self::newActiveAccount();
        $history = self::client()->getHistory('account', $account->number);

        $this->assertSame(['created', 'activated'], array_map(fn (HistoryEntry $e) => $e->action, $history));
        $this->assertSame('alice', $history[0]->actor);
        $this->assertSame($account->number, $history[0]->key);
        $this->assertContainsOnlyInstancesOf(FieldChange::class, $history[0]->changes);
        $status = array_values(array_filter($history[1]->changes, fn (FieldChange $c) => $c->field === 'status'));
        $this->assertSame([['prospect', 'active']], array_map(fn (FieldChange $c) => [$c->old, $c->new], $status));
    }

    public function testHistoryOfAContactTakesItsId(): void
    {
        $account = self::newActiveAccount();
        $contact = self::client()->listContacts($account->number)[0];

        $history = self::client()->getHistory('contact', $contact->id);
        $this->assertSame('created', $history[0]->action);
        $this->assertSame((string) $contact->id, $history[0]->key);
    }
}
