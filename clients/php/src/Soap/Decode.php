<?php

declare(strict_types=1);

namespace Core\Client\Soap;

use DateTimeImmutable;
use DateTimeZone;

/**
 * Turns the stdClass trees that SoapClient returns into plain PHP values.
 *
 * SoapClient leaves out optional elements that were absent, returns one
 * repeated element as an object unless SOAP_SINGLE_ELEMENT_ARRAYS is on, and
 * returns nothing at all for an empty list; these helpers accept every shape.
 *
 * @internal
 */
final class Decode
{
    /**
     * The repeated elements $name inside $wrapper, as a list (empty when none).
     *
     * @return list<object>
     */
    public static function list(?object $wrapper, string $name): array
    {
        return self::elements($wrapper?->{$name} ?? null);
    }

    /**
     * A repeated element read directly, as a list whatever its shape.
     *
     * @return list<object>
     */
    public static function elements(mixed $value): array
    {
        if ($value === null) {
            return [];
        }

        return is_array($value) ? array_values($value) : [$value];
    }

    /**
     * A required text field.
     */
    public static function string(object $data, string $name): string
    {
        return (string) self::required($data, $name);
    }

    /**
     * An optional text field; null when the element was absent or nil.
     */
    public static function optionalString(object $data, string $name): ?string
    {
        $value = $data->{$name} ?? null;

        return $value === null ? null : (string) $value;
    }

    /**
     * A required xs:integer field.
     */
    public static function int(object $data, string $name): int
    {
        $value = self::required($data, $name);
        if (is_int($value)) {
            return $value;
        }

        if (!is_string($value) || preg_match('/^[+-]?\d+$/', $value) !== 1) {
            throw new \UnexpectedValueException("'{$name}' is not an integer");
        }

        return (int) $value;
    }

    /**
     * A required xs:boolean field.
     */
    public static function bool(object $data, string $name): bool
    {
        $value = self::required($data, $name);

        return is_bool($value) ? $value : in_array($value, ['true', '1'], true);
    }

    /**
     * A required xs:decimal field, kept as the exact text sent by the service.
     *
     * SoapClient already decodes xs:decimal as a string; a number is refused
     * rather than turned into a possibly rounded text.
     */
    public static function decimal(object $data, string $name): string
    {
        $value = self::required($data, $name);
        if (!is_string($value) || preg_match('/^[+-]?(\d+\.?\d*|\.\d+)$/', $value) !== 1) {
            throw new \UnexpectedValueException("'{$name}' is not an exact decimal");
        }

        return $value;
    }

    /**
     * A required xs:dateTime field, in UTC.
     */
    public static function dateTime(object $data, string $name): DateTimeImmutable
    {
        return self::parseDateTime((string) self::required($data, $name), $name);
    }

    /**
     * An optional xs:dateTime field, in UTC; null when absent.
     */
    public static function optionalDateTime(object $data, string $name): ?DateTimeImmutable
    {
        $value = $data->{$name} ?? null;

        return $value === null ? null : self::parseDateTime((string) $value, $name);
    }

    /**
     * Parse an xs:dateTime; one without an offset is taken as UTC.
     */
    public static function parseDateTime(string $text, string $name = 'value'): DateTimeImmutable
    {
        $utc = new DateTimeZone('UTC');
        $pattern = '/^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/';
        if (preg_match($pattern, $text) !== 1) {
            throw new \UnexpectedValueException("'{$name}' is not an xs:dateTime: '{$text}'");
        }

        return (new DateTimeImmutable($text, $utc))->setTimezone($utc);
    }

    private static function required(object $data, string $name): mixed
    {
        $value = $data->{$name} ?? null;
        if ($value === null) {
            throw new \UnexpectedValueException("the answer lacks the required '{$name}'");
        }

        return $value;
    }
}
