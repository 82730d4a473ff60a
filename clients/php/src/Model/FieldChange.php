<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;

/**
 * One field's value before and after a change.
 */
final readonly class FieldChange
{
    /**
     * @param string      $field the field's name
     * @param string|null $old   the value before; null for none
     * @param string|null $new   the value after; null for none
     */
    public function __construct(
        public string $field,
        public ?string $old,
        public ?string $new,
    ) {
    }

    /**
     * Build a field change from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            field: Decode::string($data, 'field'),
            old: Decode::optionalString($data, 'old'),
            new: Decode::optionalString($data, 'new'),
        );
    }
}
