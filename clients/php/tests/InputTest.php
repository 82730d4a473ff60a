<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Input\AccountInput;
use Core\Client\Input\ServerChanges;
use Core\Client\Input\ServerOrder;
use Core\Client\Input\TicketFilter;
use PHPUnit\Framework\TestCase;

/**
 * Inputs accept objects or arrays, refuse mistakes early, and never hold floats.
 */
final class InputTest extends TestCase
{
    public function testAnArrayBecomesTheSameObject(): void
    {
        $this->assertEquals(
            new AccountInput(name: 'Acme', slaTier: 'premium'),
            AccountInput::from(['name' => 'Acme', 'slaTier' => 'premium']),
        );
        $object = new AccountInput('Acme');
        $this->assertSame($object, AccountInput::from($object));
    }

    public function testNullFieldsAreNotSentButFalseIs(): void
    {
        $filter = new TicketFilter(status: 'open', overdue: false);
        $this->assertSame(['status' => 'open', 'overdue' => false], $filter->toSoap());
    }

    public function testUnknownMissingAndMistypedFieldsAreRefused(): void
    {
        $cases = [
            'unknown named parameter $nmae' => ['nmae' => 'Acme'],
            'too few arguments' => [],
            'must be of type ?string' => ['name' => 'Acme', 'slaTier' => ['premium']],
        ];
        foreach ($cases as $reason => $fields) {
            try {
                AccountInput::from($fields);
                $this->fail("refused: {$reason}");
            } catch (\InvalidArgumentException $error) {
                $this->assertStringContainsStringIgnoringCase($reason, $error->getMessage());
                $this->assertStringStartsWith('invalid AccountInput: ', $error->getMessage());
            }
        }
    }

    public function testAnotherInputClassIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        AccountInput::from(new TicketFilter());
    }

    public function testMoneyIsDecimalTextNeverAFloat(): void
    {
        $this->assertSame('19.99', (new ServerOrder('fra1', 'vm-small', 'Debian 12', ' 19.99 '))->monthlyPrice);
        $this->assertSame('20', (new ServerOrder('fra1', 'vm-small', 'Debian 12', 20))->monthlyPrice);
        $this->assertNull((new ServerChanges(operatingSystem: 'Debian 13'))->monthlyPrice);

        foreach (['19,99', '1e3', '', 'NaN', '0x10'] as $text) {
            try {
                new ServerOrder('fra1', 'vm-small', 'Debian 12', $text);
                $this->fail("refused: '{$text}'");
            } catch (\InvalidArgumentException $error) {
                $this->assertStringContainsString('monthlyPrice must be decimal text', $error->getMessage());
            }
        }

        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('float given');
        ServerOrder::from([
            'dataCentre' => 'fra1',
            'hardwareProfile' => 'vm-small',
            'operatingSystem' => 'Debian 12',
            'monthlyPrice' => 19.99,
        ]);
    }

    public function testAnUnknownAuthenticationMethodIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage("auth must be 'basic' or 'wsse'");
        new CoreClient('http://127.0.0.1:9/soap?wsdl', 'alice', 'x', auth: 'digest');
    }
}
