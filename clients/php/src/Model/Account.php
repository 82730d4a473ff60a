<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A customer of the hosting company.
 */
final readonly class Account
{
    /**
     * @param string      $number  stable account number, e.g. A-100042
     * @param string      $slaTier "standard" or "premium"
     * @param string|null $manager the user name of the account manager
     * @param string      $status  prospect, active, suspended or closed
     * @param int         $version the version to name in the next update
     */
    public function __construct(
        public string $number,
        public string $name,
        public string $slaTier,
        public ?string $manager,
        public string $status,
        public int $version,
        public DateTimeImmutable $createdAt,
        public DateTimeImmutable $updatedAt,
    ) {
    }

    /**
     * Build an account from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            number: Decode::string($data, 'number'),
            name: Decode::string($data, 'name'),
            slaTier: Decode::string($data, 'slaTier'),
            manager: Decode::optionalString($data, 'manager'),
            status: Decode::string($data, 'status'),
            version: Decode::int($data, 'version'),
            createdAt: Decode::dateTime($data, 'createdAt'),
            updatedAt: Decode::dateTime($data, 'updatedAt'),
        );
    }
}
