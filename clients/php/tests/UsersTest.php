<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Exception\ForbiddenException;
use Core\Client\Input\UserChanges;
use Core\Client\Input\UserFilter;
use Core\Client\Input\UserInput;
use Core\Client\Model\User;

/**
 * The user operations through the client (administrators only).
 */
final class UsersTest extends CoreTestCase
{
    public function testCreateGetUpdateSearch(): void
    {
        $admin = self::admin();
        $username = 'php' . bin2hex(random_bytes(4));
        $created = $admin->createUser(new UserInput(
            username: $username,
            displayName: 'New Agent',
            email: 'new@example.com',
            role: 'agent',
            password: 'a long password',
        ));
        $this->assertSame(['agent', true, null], [$created->role, $created->active, $created->accountNumber]);
        $this->assertEquals($created, $admin->getUser($username));

        $changed = $admin->updateUser($username, new UserChanges(displayName: 'Renamed', active: false), 1);
        $this->assertSame(['Renamed', false, 2], [$changed->displayName, $changed->active, $changed->version]);

        $inactive = $admin->searchUsers(new UserFilter(role: 'agent', active: false), 500);
        $this->assertContains($username, array_map(fn (User $u) => $u->username, $inactive->items));
        $active = $admin->searchUsers(['role' => 'agent', 'active' => true], 500);
        $this->assertNotContains($username, array_map(fn (User $u) => $u->username, $active->items));
    }

    public function testNewCustomerUserSignsIn(): void
    {
        $account = self::newActiveAccount();
        $username = 'cust' . bin2hex(random_bytes(4));
        self::admin()->createUser([
            'username' => $username,
            'displayName' => 'Customer',
            'email' => 'c@example.com',
            'role' => 'customer',
            'password' => 'customer password',
            'accountNumber' => $account->number,
        ]);

        $client = self::newClient($username, 'customer password');
        $this->assertSame($account->number, $client->whoAmI()->accountNumber);
    }

    public function testAgentsCannotManageUsers(): void
    {
        $error = $this->fault(ForbiddenException::class, fn () => self::client()->getUser('admin'));
        $this->assertSame('forbidden', $error->businessCode());
    }
}
