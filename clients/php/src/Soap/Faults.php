<?php

declare(strict_types=1);

namespace Core\Client\Soap;

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

/**
 * Turns a SoapFault into the client's exception for its fault code.
 *
 * @internal
 */
final class Faults
{
    /** @var array<string, class-string<CoreException>> */
    private const BY_CODE = [
        'Client.Validation' => ValidationException::class,
        'Client.NotFound' => NotFoundException::class,
        'Client.Conflict' => ConflictException::class,
        'Client.Forbidden' => ForbiddenException::class,
        'Client.Authentication' => AuthenticationException::class,
        'Client.BusinessRule' => BusinessRuleException::class,
        'Server.Unavailable' => UnavailableException::class,
        'Server.Internal' => InternalException::class,
    ];

    /** SoapClient's own codes for failures before any SOAP answer. */
    private const TRANSPORT_CODES = ['HTTP', 'WSDL'];

    /**
     * The exception for $fault; the fault is kept as its previous exception.
     */
    public static function exception(\SoapFault $fault): ExceptionInterface
    {
        $code = self::faultCode($fault);
        if (in_array($code, self::TRANSPORT_CODES, true)) {
            return new TransportException($fault->getMessage(), 0, $fault);
        }

        $class = self::BY_CODE[$code] ?? self::fallback($code);
        $message = (string) $fault->faultstring;
        $detail = self::detail($fault);
        if ($detail === []) {
            // Faults raised before CORE's code runs, such as schema validation,
            // carry no detail; their message still names the element.
            $detail = ['field' => self::schemaField($message), 'rule' => self::schemaRule($message)];
        }

        return new $class(
            $detail['message'] ?? $message,
            $code,
            businessCode: $detail['code'] ?? null,
            field: $detail['field'] ?? null,
            rule: $detail['rule'] ?? null,
            incidentId: $detail['incidentId'] ?? null,
            previous: $fault,
        );
    }

    /**
     * The fault code without its namespace prefix: "soap11env:Client.NotFound"
     * becomes "Client.NotFound".
     */
    public static function faultCode(\SoapFault $fault): string
    {
        $code = (string) ($fault->faultcode ?? '');
        $colon = strpos($code, ':');

        return $colon === false ? $code : substr($code, $colon + 1);
    }

    /**
     * @return class-string<CoreException>
     */
    private static function fallback(string $code): string
    {
        return str_starts_with($code, 'Client') ? ValidationException::class : InternalException::class;
    }

    /**
     * The fields of the fault's detail element, whatever its name.
     *
     * @return array<string, string|null>
     */
    private static function detail(\SoapFault $fault): array
    {
        $detail = $fault->detail ?? null;
        if (!is_object($detail)) {
            return [];
        }

        foreach (get_object_vars($detail) as $element) {
            if (is_object($element)) {
                $fields = array_filter(get_object_vars($element), 'is_scalar');

                return array_map('strval', $fields);
            }
        }

        return [];
    }

    /**
     * The element a schema validation message names, e.g. "name" in
     * "Element '{urn:core:v1}name': [facet 'maxLength'] ...".
     */
    private static function schemaField(string $message): ?string
    {
        return preg_match("/Element '(?:\\{[^}]*\\})?([^']+)'/", $message, $match) === 1 ? $match[1] : null;
    }

    /**
     * The facet a schema validation message names, e.g. "maxLength".
     */
    private static function schemaRule(string $message): ?string
    {
        return preg_match("/\\[facet '([^']+)'\\]/", $message, $match) === 1 ? $match[1] : null;
    }
}
