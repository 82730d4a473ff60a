<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Exception\NotFoundException;
use Core\Client\Exception\ValidationException;
use Core\Client\Input\ContactChanges;
use Core\Client\Input\ContactInput;
use Core\Client\Model\Contact;

/**
 * The contact operations through the client.
 */
final class ContactsTest extends CoreTestCase
{
    public function testAddGetUpdateListRemove(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();

        $contact = $core->addContact($account->number, new ContactInput(
            name: 'Zoë Müller',
            role: 'billing',
            country: 'DE',
            email: 'Zoe@Example.com',
            phone: '030 901820',
            street: 'Unter den Linden 1',
            city: 'Berlin',
            postalCode: '10117',
        ));
        $this->assertSame(['+4930901820', 'Zoë Müller', $account->number], [
            $contact->phone, $contact->name, $contact->accountNumber,
        ]);
        $this->assertEquals($contact, $core->getContact($contact->id));

        $changed = $core->updateContact($contact->id, new ContactChanges(city: 'Potsdam', street: ''), 1);
        $this->assertSame(['Potsdam', null, 2], [$changed->city, $changed->street, $changed->version]);

        $roles = array_map(fn (Contact $c) => $c->role, $core->listContacts($account->number));
        $this->assertSame(['primary', 'billing'], $roles);

        $this->assertTrue($core->removeContact($contact->id, 2));
        $this->fault(NotFoundException::class, fn () => $core->getContact($contact->id));
        $this->assertCount(1, $core->listContacts($account->number));
    }

    public function testWrongPostalCodeNamesFieldAndRule(): void
    {
        $account = self::newActiveAccount();
        $error = $this->fault(ValidationException::class, fn () => self::client()->addContact(
            $account->number,
            ['name' => 'Bad', 'role' => 'technical', 'country' => 'US', 'postalCode' => 'ABCDE'],
        ));

        $this->assertSame('Client.Validation', $error->faultCode());
        $this->assertSame(['validation', 'postalCode', 'postal_code'], [
            $error->businessCode(), $error->field(), $error->rule(),
        ]);
        $this->assertStringContainsString('ABCDE', $error->getMessage());
    }
}
