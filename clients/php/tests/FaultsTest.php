<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Exception\AuthenticationException;
use Core\Client\Exception\BusinessRuleException;
use Core\Client\Exception\ConflictException;
use Core\Client\Exception\CoreException;
use Core\Client\Exception\ExceptionInterface;
use Core\Client\Exception\ForbiddenException;
use Core\Client\Exception\InternalException;
use Core\Client\Exception\NotFoundException;
use Core\Client\Exception\TransportException;
use Core\Client\Exception\UnavailableException;
use Core\Client\Exception\ValidationException;
use Core\Client\Http\HttpResponse;

/**
 * Every fault code becomes its own exception, with the detail's fields.
 */
final class FaultsTest extends CoreTestCase
{
    public function testNotFoundCarriesTheDetail(): void
    {
        $error = $this->fault(NotFoundException::class, fn () => self::client()->getAccount('A-999999'));

        $this->assertSame('Client.NotFound', $error->faultCode());
        $this->assertSame(['not_found', 'accountNumber', null, null], [
            $error->businessCode(), $error->field(), $error->rule(), $error->incidentId(),
        ]);
        $this->assertSame("account 'A-999999' does not exist", $error->getMessage());
        $this->assertInstanceOf(\SoapFault::class, $error->getPrevious());
        $this->assertInstanceOf(ExceptionInterface::class, $error);
    }

    public function testValidationFromTheSchemaNamesElementAndFacet(): void
    {
        $tooLong = $this->fault(
            ValidationException::class,
            fn () => self::client()->createAccount(['name' => str_repeat('x', 121)]),
        );
        $this->assertSame('Client.SchemaValidationError', $tooLong->faultCode());
        $this->assertSame(['name', 'maxLength', null], [$tooLong->field(), $tooLong->rule(), $tooLong->businessCode()]);

        $pageSize = $this->fault(ValidationException::class, fn () => self::client()->searchAccounts(null, 0));
        $this->assertSame(['pageSize', 'minInclusive'], [$pageSize->field(), $pageSize->rule()]);
    }

    public function testValidationOfTextPhpCannotEncode(): void
    {
        $error = $this->fault(ValidationException::class, fn () => self::client()->createAccount(['name' => "x\xFFy"]));

        $this->assertSame('Client', $error->faultCode());
        $this->assertStringContainsString('utf-8', $error->getMessage());
    }

    public function testConflictOnAStaleVersion(): void
    {
        $account = self::client()->createAccount(['name' => self::unique('Stale')]);
        self::client()->updateAccount($account->number, ['name' => self::unique('Fresh')], 1);

        $error = $this->fault(
            ConflictException::class,
            fn () => self::client()->updateAccount($account->number, ['name' => 'Late'], 1),
        );
        $this->assertSame(['Client.Conflict', 'conflict'], [$error->faultCode(), $error->businessCode()]);
    }

    public function testForbiddenForAReadOnlyUser(): void
    {
        $error = $this->fault(
            ForbiddenException::class,
            fn () => self::client('rita')->createAccount(['name' => 'Nope']),
        );
        $this->assertSame(['Client.Forbidden', 'forbidden'], [$error->faultCode(), $error->businessCode()]);
    }

    public function testAuthenticationWithBasicAndWsSecurity(): void
    {
        foreach ([CoreClient::AUTH_BASIC, CoreClient::AUTH_WSSE] as $auth) {
            $username = 'nobody' . bin2hex(random_bytes(4));
            $client = self::newClient($username, 'wrong password', auth: $auth);
            $error = $this->fault(AuthenticationException::class, fn () => $client->whoAmI());

            $this->assertSame(['Client.Authentication', 'authentication'], [
                $error->faultCode(), $error->businessCode(),
            ], $auth);
        }
    }

    public function testBusinessRuleNamesTheRule(): void
    {
        $account = self::newActiveAccount();
        $error = $this->fault(BusinessRuleException::class, fn () => self::client()->openTicket([
            'accountNumber' => $account->number,
            'subject' => 'Everything is down',
            'description' => 'No server named',
            'severity' => 'emergency',
        ]));

        $this->assertSame('Client.BusinessRule', $error->faultCode());
        $this->assertSame(['emergency_needs_server', 'serverNumber'], [$error->rule(), $error->field()]);
    }

    public function testUnavailableWhenTheDatabaseFails(): void
    {
        $broken = $this->brokenClient();
        $error = $this->fault(UnavailableException::class, fn () => $broken->getContact(1));

        $this->assertSame(['Server.Unavailable', 'unavailable'], [$error->faultCode(), $error->businessCode()]);
    }

    public function testInternalCarriesAnIncidentId(): void
    {
        $broken = $this->brokenClient();
        $account = self::env('CORE_BROKEN_ACCOUNT');
        $error = $this->fault(InternalException::class, fn () => $broken->getAccount($account));

        $this->assertSame(['Server.Internal', 'internal'], [$error->faultCode(), $error->businessCode()]);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{16}$/', (string) $error->incidentId());
        $this->assertStringContainsString((string) $error->incidentId(), $error->getMessage());
    }

    public function testEveryFaultClassIsACoreException(): void
    {
        $classes = [
            ValidationException::class, NotFoundException::class, ConflictException::class,
            ForbiddenException::class, AuthenticationException::class, BusinessRuleException::class,
            UnavailableException::class, InternalException::class,
        ];
        foreach ($classes as $class) {
            $this->assertTrue(is_subclass_of($class, CoreException::class), $class);
        }
        $this->assertFalse(is_subclass_of(TransportException::class, CoreException::class));
        $this->assertTrue(is_subclass_of(TransportException::class, ExceptionInterface::class));
    }

    public function testTransportErrorWhenNothingListens(): void
    {
        $client = self::newClient('alice', 'x', location: 'http://127.0.0.1:9/soap');
        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('cannot reach http://127.0.0.1:9/soap');
        $client->ping();
    }

    public function testTransportErrorForAMissingWsdl(): void
    {
        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('HTTP 404');
        $missing = str_replace('/soap?wsdl', '/no-such-path?wsdl', self::wsdl());
        new CoreClient($missing, 'alice', 'x', cacheDir: self::cacheDir());
    }

    public function testTransportErrorOnTimeout(): void
    {
        $silent = stream_socket_server('tcp://127.0.0.1:0');
        $this->assertNotFalse($silent);
        $location = 'http://' . stream_socket_get_name($silent, false) . '/soap';
        $client = self::newClient('alice', 'x', timeout: 0.5, location: $location);

        $started = microtime(true);
        try {
            $client->ping();
            $this->fail('a silent server must time out');
        } catch (TransportException $error) {
            $this->assertLessThan(5.0, microtime(true) - $started);
            $this->assertSame("no answer from {$location} within 0.5 s", $error->getMessage());
        } finally {
            fclose($silent);
        }
    }

    public function testTransportErrorForAnAnswerThatIsNotSoap(): void
    {
        $page = new HttpResponse(502, 'Bad Gateway', ['content-type' => 'text/html'], '<html>down</html>');
        $client = self::newClient('alice', 'x', transport: new CannedTransport($page));

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('HTTP 502 Bad Gateway without a SOAP envelope');
        $client->ping();
    }

    public function testUnknownFaultCodesFallBackByClientOrServer(): void
    {
        $envelope = static fn (string $code): HttpResponse => new HttpResponse(500, 'Internal Server Error', [
            'content-type' => 'text/xml; charset=utf-8',
        ], '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>'
            . "<faultcode>soap:{$code}</faultcode><faultstring>odd</faultstring>"
            . '</soap:Fault></soap:Body></soap:Envelope>');

        $client = static fn (string $code): CoreClient => self::newClient(
            'alice',
            'x',
            transport: new CannedTransport($envelope($code)),
        );
        $this->fault(ValidationException::class, fn () => $client('Client.Dtd')->ping());
        $server = $this->fault(InternalException::class, fn () => $client('Server')->ping());
        $this->assertSame(['Server', 'odd', null], [
            $server->faultCode(), $server->getMessage(), $server->businessCode(),
        ]);
    }

    private function brokenClient(): CoreClient
    {
        $wsdl = self::env('CORE_BROKEN_WSDL');

        return new CoreClient($wsdl, 'admin', self::env('CORE_ADMIN_PASSWORD'), cacheDir: self::cacheDir());
    }
}
