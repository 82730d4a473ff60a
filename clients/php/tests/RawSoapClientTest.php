<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Model\Contact;
use Core\Client\Soap\Decode;

/**
 * The same scenario with PHP's plain SoapClient: the WSDL serves any PHP code,
 * and what it writes reads the same through the client.
 */
final class RawSoapClientTest extends CoreTestCase
{
    /** @var array<string, mixed> */
    private static array $result;

    public static function setUpBeforeClass(): void
    {
        self::$result = core_raw_scenario(self::wsdl(), 'alice', self::demoPassword());
    }

    public function testTextAndMoneyComeBackUnchanged(): void
    {
        $result = self::$result;

        $this->assertStringStartsWith(CORE_RAW_TEXTS['account'] . ' ', $result['account']['name']);
        $this->assertSame(CORE_RAW_TEXTS['contact'], $result['contacts'][0]['name']);
        $this->assertSame(CORE_RAW_TEXTS['subject'], $result['ticket']['subject']);
        $this->assertSame(CORE_RAW_TEXTS['description'], $result['ticket']['description']);
        $this->assertSame(CORE_RAW_TEXTS['comment'], $result['ticket']['comments']['Comment'][0]['body']);
        $this->assertSame(CORE_RAW_PRICES, array_column($result['servers'], 'monthlyPrice'));
        $this->assertEqualsCanonicalizing(CORE_RAW_PRICES, array_column($result['searchedServers'], 'monthlyPrice'));
    }

    public function testOneElementListsAreArraysWithSingleElementArrays(): void
    {
        $result = self::$result;

        $this->assertCount(1, $result['contacts']);
        $this->assertCount(1, $result['tickets']);
        $this->assertCount(1, $result['ticket']['comments']['Comment']);
    }

    public function testFaultCodeAndDetail(): void
    {
        $this->assertSame('Client.NotFound', self::$result['fault']['faultcode']);
        $this->assertSame('not_found', self::$result['fault']['detail']['code']);
        $this->assertSame('accountNumber', self::$result['fault']['detail']['field']);
    }

    public function testTheClientReadsTheSameData(): void
    {
        $core = self::client();
        $raw = self::$result;

        $account = $core->getAccount($raw['account']['number']);
        $this->assertSame(
            [$raw['account']['name'], $raw['account']['status'], $raw['account']['version']],
            [$account->name, $account->status, $account->version],
        );
        $this->assertEquals(Decode::parseDateTime($raw['account']['createdAt']), $account->createdAt);

        $contacts = array_map(fn (Contact $c) => [$c->id, $c->name, $c->phone], $core->listContacts($account->number));
        $this->assertSame(
            array_map(fn (array $c) => [$c['id'], $c['name'], $c['phone']], $raw['contacts']),
            $contacts,
        );

        foreach ($raw['servers'] as $server) {
            $this->assertSame($server['monthlyPrice'], $core->getServer($server['number'])->monthlyPrice);
        }

        $ticket = $core->getTicket($raw['ticket']['number']);
        $this->assertSame(
            [$raw['ticket']['subject'], $raw['ticket']['description'], $raw['ticket']['serverNumber']],
            [$ticket->subject, $ticket->description, $ticket->serverNumber],
        );
        $this->assertEquals(Decode::parseDateTime($raw['ticket']['responseDueAt']), $ticket->responseDueAt);
        $this->assertSame(
            array_column($raw['ticket']['comments']['Comment'], 'body'),
            array_map(fn ($c) => $c->body, $ticket->comments),
        );
    }
}
