<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Input\ServerOrder;
use Core\Client\Model\Server;
use DateTimeImmutable;

/**
 * Text, money and times come back exactly as they were sent.
 */
final class TextAndMoneyTest extends CoreTestCase
{
    /**
     * @return array<string, array{string}>
     */
    public static function texts(): array
    {
        return [
            'accents' => ['Zoë Müller-Łukasiewicz, Ångström & Søn'],
            'CJK' => ['株式会社テスト 北京 한국어'],
            'emoji' => ['Rocket 🚀 family 👩‍👩‍👧 flag 🇩🇪'],
            'combining' => ["Cafe\u{0301} decomposed"],
            'markup' => ['<b>&amp;</b> "quoted" \'single\' ]]>'],
            'right to left' => ['שלום עולם مرحبا'],
        ];
    }

    /**
     * @dataProvider texts
     */
    public function testTextRoundTripsUnchanged(string $text): void
    {
        $core = self::client();
        $account = self::newActiveAccount("{$text} " . bin2hex(random_bytes(3)));
        $this->assertStringStartsWith($text, $core->getAccount($account->number)->name);

        $contact = $core->addContact($account->number, [
            'name' => $text,
            'role' => 'billing',
            'country' => 'DE',
            'street' => $text,
            'city' => $text,
        ]);
        $this->assertSame([$text, $text, $text], [$contact->name, $contact->street, $contact->city]);

        $multiline = "{$text}\nsecond line\r\n\tindented {$text}";
        $ticket = $core->openTicket([
            'accountNumber' => $account->number,
            'subject' => $text,
            'description' => $multiline,
        ]);
        $core->addComment($ticket->number, $multiline, true);
        $read = $core->getTicket($ticket->number);
        $this->assertSame([$text, $multiline, $multiline], [
            $read->subject, $read->description, $read->comments[0]->body,
        ]);

        $found = $core->searchTickets(['accountNumber' => $account->number, 'text' => $text]);
        $this->assertSame([$ticket->number], array_map(fn ($t) => $t->number, $found->items));

        $renamed = $core->updateContact($contact->id, ['city' => 'Plain'], $contact->version);
        $change = $core->getHistory('contact', $renamed->id)[1]->changes[0];
        $this->assertSame(['city', $text, 'Plain'], [$change->field, $change->old, $change->new]);
    }

    /**
     * @return array<string, array{string}>
     */
    public static function prices(): array
    {
        return [
            'ten cents' => ['0.10'],
            'nineteen ninety-nine' => ['19.99'],
            'largest' => ['99999999.99'],
            'one cent' => ['0.01'],
            'seven digits' => ['1234567.89'],
        ];
    }

    /**
     * @dataProvider prices
     */
    public function testMoneyStaysExact(string $price): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $server = $core->orderServer($account->number, new ServerOrder('ams1', 'vm-medium', 'Debian 12', $price));

        $this->assertSame($price, $server->monthlyPrice);
        $this->assertSame($price, $core->getServer($server->number)->monthlyPrice);
        $listed = $core->searchServers(['accountNumber' => $account->number])->items;
        $this->assertSame([$price], array_map(fn (Server $s) => $s->monthlyPrice, $listed));

        $raised = $core->updateServer($server->number, ['monthlyPrice' => '0.20'], $server->version);
        $this->assertSame('0.20', $raised->monthlyPrice);
        $lowered = $core->updateServer($server->number, ['monthlyPrice' => $price], $raised->version);
        $this->assertSame($price, $lowered->monthlyPrice);
    }

    public function testWholeAmountsGetTwoDecimals(): void
    {
        $account = self::newActiveAccount();
        $server = self::client()->orderServer($account->number, new ServerOrder('ams1', 'vm-small', 'Debian 12', 20));

        $this->assertSame('20.00', $server->monthlyPrice);
    }

    public function testNoFloatAnywhereAndEveryTimeIsUtc(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $server = self::newOnlineServer($account->number);
        $ticket = $core->openTicket(['accountNumber' => $account->number, 'subject' => 's', 'description' => 'd']);
        $core->addComment($ticket->number, 'c', true);

        $records = [
            $core->ping(), $core->whoAmI(), $core->getAccount($account->number), $core->getServer($server->number),
            $core->listContacts($account->number), $core->getTicket($ticket->number),
            $core->getHistory('server', $server->number), $core->searchServers(['accountNumber' => $account->number]),
        ];
        $times = 0;
        array_walk_recursive($records, function (mixed $record) use (&$times): void {
            foreach ($this->leaves($record) as $path => $value) {
                $this->assertIsNotFloat($value, $path);
                if ($value instanceof DateTimeImmutable) {
                    $this->assertSame('UTC', $value->getTimezone()->getName(), $path);
                    $times++;
                }
            }
        });
        $this->assertGreaterThan(10, $times);
    }

    public function testTimesKeepMicrosecondsAndOrder(): void
    {
        $account = self::client()->createAccount(['name' => self::unique('Clock')]);
        $changed = self::client()->updateAccount($account->number, ['name' => self::unique('Clock')], 1);

        $this->assertEquals($account->createdAt, $changed->createdAt);
        $this->assertGreaterThan($account->updatedAt, $changed->updatedAt);
        $this->assertNotSame('000000', $changed->updatedAt->format('u'));
    }

    /**
     * Every scalar or time inside $value, by property path.
     *
     * @return iterable<string, mixed>
     */
    private function leaves(mixed $value, string $path = '$'): iterable
    {
        if (is_object($value) && !$value instanceof DateTimeImmutable) {
            $value = get_object_vars($value);
        }
        if (!is_array($value)) {
            yield $path => $value;

            return;
        }
        foreach ($value as $key => $item) {
            yield from $this->leaves($item, "{$path}.{$key}");
        }
    }
}
