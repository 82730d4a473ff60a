<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A person who signs in: staff, or a customer bound to one account.
 */
final readonly class User
{
    /**
     * @param string      $role          admin, agent, readonly or customer
     * @param string|null $accountNumber a customer's account
     * @param bool        $active        inactive users cannot sign in
     */
    public function __construct(
        public string $username,
        public string $displayName,
        public string $email,
        public string $role,
        public ?string $accountNumber,
        public bool $active,
        public int $version,
        public DateTimeImmutable $createdAt,
        public DateTimeImmutable $updatedAt,
    ) {
    }

    /**
     * Build a user from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            username: Decode::string($data, 'username'),
            displayName: Decode::string($data, 'displayName'),
            email: Decode::string($data, 'email'),
            role: Decode::string($data, 'role'),
            accountNumber: Decode::optionalString($data, 'accountNumber'),
            active: Decode::bool($data, 'active'),
            version: Decode::int($data, 'version'),
            createdAt: Decode::dateTime($data, 'createdAt'),
            updatedAt: Decode::dateTime($data, 'updatedAt'),
        );
    }
}
