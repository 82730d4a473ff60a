<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A note staff keep on an account.
 */
final readonly class Note
{
    /**
     * @param string $author the user name of who wrote it
     */
    public function __construct(
        public int $id,
        public string $accountNumber,
        public string $author,
        public string $body,
        public DateTimeImmutable $createdAt,
    ) {
    }

    /**
     * Build a note from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            id: Decode::int($data, 'id'),
            accountNumber: Decode::string($data, 'accountNumber'),
            author: Decode::string($data, 'author'),
            body: Decode::string($data, 'body'),
            createdAt: Decode::dateTime($data, 'createdAt'),
        );
    }
}
