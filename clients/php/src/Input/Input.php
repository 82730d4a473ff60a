<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * Base of the values a caller sends: new records, changes and filters.
 *
 * Every operation of the client takes either an instance or an array of the
 * same fields (camelCase keys, as in the WSDL); fields left null are not sent,
 * so the service treats them as absent.
 */
abstract readonly class Input
{
    /**
     * Return $value as an instance of the called class.
     *
     * @param static|array<string, mixed> $value an instance, or its fields by name
     * @throws \InvalidArgumentException when a field is unknown, missing or of
     *                                   the wrong type
     */
    public static function from(self|array $value): static
    {
        if ($value instanceof static) {
            return $value;
        }

        if ($value instanceof self) {
            $message = sprintf('expected %s, got %s', static::class, $value::class);
            throw new \InvalidArgumentException($message);
        }

        try {
            return new static(...$value);
        } catch (\Error $error) {
            $name = basename(str_replace('\\', '/', static::class));
            $reason = preg_replace('/, called in .*$/s', '', $error->getMessage());
            throw new \InvalidArgumentException("invalid {$name}: {$reason}", 0, $error);
        }
    }

    /**
     * The fields to send, by element name; null fields are left out.
     *
     * @return array<string, string|int|bool>
     */
    public function toSoap(): array
    {
        return array_filter(get_object_vars($this), static fn (mixed $value): bool => $value !== null);
    }

    /**
     * Check an amount of money and return it as exact decimal text.
     *
     * Money is never a float: a float cannot hold 0.10 or 19.99 exactly.
     *
     * @throws \InvalidArgumentException when it is not a plain decimal number
     */
    protected static function money(string|int|null $value, string $field): ?string
    {
        if ($value === null) {
            return null;
        }

        $text = is_int($value) ? (string) $value : trim($value);
        if (preg_match('/^[+-]?\d+(\.\d+)?$/', $text) !== 1) {
            throw new \InvalidArgumentException(
                "{$field} must be decimal text such as '19.99', not '{$text}'"
            );
        }

        return $text;
    }
}
