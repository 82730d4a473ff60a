<?php

declare(strict_types=1);

namespace Core\Client\Soap;

/**
 * A WS-Security UsernameToken header with a plain-text password.
 *
 * ext/soap has no WS-Security support, so the header is written as XML; the
 * user name and password are escaped, and characters that XML cannot carry
 * are refused. Send it over HTTPS only: the password is not hashed.
 */
final class UsernameToken
{
    public const NAMESPACE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
    public const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/'
        . 'oasis-200401-wss-username-token-profile-1.0#PasswordText';
    private const SOAP_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';

    /**
     * The SOAP header to send with every request.
     *
     * @throws \InvalidArgumentException when a value cannot be written in XML
     */
    public static function header(string $username, string $password): \SoapHeader
    {
        $xml = new \SoapVar(self::xml($username, $password), XSD_ANYXML);

        return new \SoapHeader(self::NAMESPACE, 'Security', $xml);
    }

    /**
     * The wsse:Security element carrying the token.
     *
     * @throws \InvalidArgumentException when a value cannot be written in XML
     */
    public static function xml(string $username, string $password): string
    {
        return sprintf(
            '<wsse:Security xmlns:wsse="%s" xmlns:soapenv="%s" soapenv:mustUnderstand="1">'
            . '<wsse:UsernameToken><wsse:Username>%s</wsse:Username>'
            . '<wsse:Password Type="%s">%s</wsse:Password>'
            . '</wsse:UsernameToken></wsse:Security>',
            self::NAMESPACE,
            self::SOAP_ENVELOPE,
            self::escape($username, 'user name'),
            self::PASSWORD_TEXT,
            self::escape($password, 'password'),
        );
    }

    private static function escape(string $value, string $what): string
    {
        $allowed = '/^[\x{9}\x{A}\x{D}\x{20}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]*$/u';
        if (preg_match($allowed, $value) !== 1) {
            throw new \InvalidArgumentException(
                "the {$what} holds invalid UTF-8 or a character XML cannot carry"
            );
        }

        return htmlspecialchars($value, ENT_XML1 | ENT_QUOTES, 'UTF-8');
    }
}
