<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A person to talk to at an account.
 */
final readonly class Contact
{
    /**
     * @param string      $role    primary, billing or technical
     * @param string|null $phone   in E.164 form, e.g. +4930901820
     * @param string      $country ISO 3166 alpha-2 code
     */
    public function __construct(
        public int $id,
        public string $accountNumber,
        public string $name,
        public string $role,
        public ?string $email,
        public ?string $phone,
        public ?string $street,
        public ?string $city,
        public ?string $postalCode,
        public string $country,
        public int $version,
        public DateTimeImmutable $createdAt,
        public DateTimeImmutable $updatedAt,
    ) {
    }

    /**
     * Build a contact from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            id: Decode::int($data, 'id'),
            accountNumber: Decode::string($data, 'accountNumber'),
            name: Decode::string($data, 'name'),
            role: Decode::string($data, 'role'),
            email: Decode::optionalString($data, 'email'),
            phone: Decode::optionalString($data, 'phone'),
            street: Decode::optionalString($data, 'street'),
            city: Decode::optionalString($data, 'city'),
            postalCode: Decode::optionalString($data, 'postalCode'),
            country: Decode::string($data, 'country'),
            version: Decode::int($data, 'version'),
            createdAt: Decode::dateTime($data, 'createdAt'),
            updatedAt: Decode::dateTime($data, 'updatedAt'),
        );
    }
}
