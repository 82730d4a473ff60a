<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Exception\BusinessRuleException;
use Core\Client\Exception\ConflictException;
use Core\Client\Exception\NotFoundException;
use Core\Client\Input\AccountChanges;
use Core\Client\Input\AccountFilter;
use Core\Client\Input\AccountInput;
use Core\Client\Model\Account;

/**
 * The account operations through the client.
 */
final class AccountsTest extends CoreTestCase
{
    public function testCreateGetAndUpdate(): void
    {
        $core = self::client();
        $name = self::unique('Acme');
        $created = $core->createAccount(new AccountInput(name: $name, slaTier: 'premium', manager: 'bob'));

        $this->assertMatchesRegularExpression('/^A-\d+$/', $created->number);
        $this->assertSame(['prospect', 1, 'premium', 'bob'], [
            $created->status, $created->version, $created->slaTier, $created->manager,
        ]);
        $this->assertEquals($created, $core->getAccount($created->number));

        $changed = $core->updateAccount($created->number, new AccountChanges(name: "{$name} 2", manager: ''), 1);
        $this->assertSame([2, "{$name} 2", null], [$changed->version, $changed->name, $changed->manager]);
        $this->assertGreaterThanOrEqual($created->updatedAt, $changed->updatedAt);
    }

    public function testLifeCycle(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();

        $this->assertSame('active', $account->status);
        $suspended = $core->suspendAccount($account->number, $account->version);
        $this->assertSame('suspended', $suspended->status);
        $this->assertSame('active', $core->reactivateAccount($account->number)->status);
        $this->assertSame('closed', $core->closeAccount($account->number)->status);
    }

    public function testActivatingWithoutPrimaryContactBreaksARule(): void
    {
        $account = self::client()->createAccount(['name' => self::unique('No contact')]);
        $error = $this->fault(
            BusinessRuleException::class,
            fn () => self::client()->activateAccount($account->number),
        );

        $this->assertSame('primary_contact_required', $error->rule());
    }

    public function testRetryWithTheSameRequestIdReturnsTheFirstResult(): void
    {
        $requestId = bin2hex(random_bytes(16));
        $name = self::unique('Retry');
        $first = self::client()->createAccount(['name' => $name], $requestId);
        $again = self::client()->createAccount(['name' => $name], $requestId);

        $this->assertSame($first->number, $again->number);
        $this->fault(ConflictException::class, fn () => self::client()->createAccount(['name' => 'Other'], $requestId));
    }

    public function testSearchWithFilterObjectAndArray(): void
    {
        $name = self::unique('Searchable Zebra');
        $created = self::client()->createAccount(['name' => $name, 'slaTier' => 'premium']);

        $byObject = self::client()->searchAccounts(new AccountFilter(text: $name, slaTier: 'premium'), 10);
        $byArray = self::client()->searchAccounts(['text' => strtoupper($name)], 10);

        $this->assertSame([$created->number], array_map(fn (Account $a) => $a->number, $byObject->items));
        $this->assertEquals($byObject->items, $byArray->items);
        $this->assertNull($byObject->nextCursor);
    }

    public function testCustomerSeesOnlyItsOwnAccount(): void
    {
        $carl = self::client('carl');
        $own = $carl->whoAmI()->accountNumber;

        $page = $carl->searchAccounts(null, 50);
        $this->assertSame([$own], array_map(fn (Account $a) => $a->number, $page->items));

        $other = self::newActiveAccount();
        $this->fault(NotFoundException::class, fn () => $carl->getAccount($other->number));
    }
}
