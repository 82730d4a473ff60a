<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Http\HttpResponse;
use Core\Client\Soap\UsernameToken;
use DOMDocument;
use DOMXPath;

/**
 * The UsernameToken header carries any user name and password safely.
 */
final class WsSecurityTest extends CoreTestCase
{
    private const AWKWARD = 'p<&>"\' ü 🚀 : ]]> x';

    public function testValuesAreEscaped(): void
    {
        $document = new DOMDocument();
        $this->assertTrue($document->loadXML(UsernameToken::xml('a&b<c>', self::AWKWARD)));
        $xpath = new DOMXPath($document);
        $xpath->registerNamespace('wsse', UsernameToken::NAMESPACE);

        $this->assertSame('a&b<c>', $xpath->evaluate('string(//wsse:Username)'));
        $this->assertSame(self::AWKWARD, $xpath->evaluate('string(//wsse:Password)'));
        $this->assertSame(UsernameToken::PASSWORD_TEXT, $xpath->evaluate('string(//wsse:Password/@Type)'));
    }

    public function testCharactersXmlCannotCarryAreRefused(): void
    {
        foreach (["bad\x01char", "bad\xFFutf8"] as $password) {
            try {
                UsernameToken::xml('alice', $password);
                $this->fail('refused: ' . bin2hex($password));
            } catch (\InvalidArgumentException $error) {
                $this->assertStringContainsString('password', $error->getMessage());
            }
        }
    }

    public function testAnAwkwardPasswordSignsInBothWays(): void
    {
        $username = 'wsse' . bin2hex(random_bytes(4));
        self::admin()->createUser([
            'username' => $username,
            'displayName' => 'Awkward Password',
            'email' => 'awkward@example.com',
            'role' => 'readonly',
            'password' => self::AWKWARD,
        ]);

        foreach ([CoreClient::AUTH_WSSE, CoreClient::AUTH_BASIC] as $auth) {
            $client = self::newClient($username, self::AWKWARD, auth: $auth);
            $this->assertSame($username, $client->whoAmI()->username, $auth);
        }
    }

    public function testOnlyBasicModeSendsAnAuthorizationHeader(): void
    {
        foreach ([CoreClient::AUTH_WSSE => 0, CoreClient::AUTH_BASIC => 1] as $auth => $expected) {
            $transport = new CannedTransport(new HttpResponse(200, 'OK', ['content-type' => 'text/xml'], '<x/>'));
            $client = self::newClient('alice', 'secret', auth: $auth, transport: $transport);
            try {
                $client->ping();
            } catch (\Throwable) {
                // The canned answer is no SOAP response; only the request matters.
            }

            [$method, , $headers] = $transport->requests[1];
            $this->assertSame('POST', $method);
            $this->assertCount($expected, preg_grep('/^Authorization: Basic /', $headers) ?: [], $auth);
        }
    }
}
