<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A comment on a ticket.
 */
final readonly class Comment
{
    /**
     * @param string $author the author's user name
     * @param bool   $public whether the customer sees it
     */
    public function __construct(
        public int $id,
        public string $ticketNumber,
        public string $author,
        public string $body,
        public bool $public,
        public DateTimeImmutable $createdAt,
    ) {
    }

    /**
     * Build a comment from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            id: Decode::int($data, 'id'),
            ticketNumber: Decode::string($data, 'ticketNumber'),
            author: Decode::string($data, 'author'),
            body: Decode::string($data, 'body'),
            public: Decode::bool($data, 'public'),
            createdAt: Decode::dateTime($data, 'createdAt'),
        );
    }
}
