<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A trouble ticket with its comments (public ones only, for customers).
 */
final readonly class Ticket
{
    /**
     * @param string        $severity low, normal, high or emergency
     * @param string        $status   new, open, pending_customer, solved or closed
     * @param string|null   $assignee the assigned agent's user name
     * @param string        $openedBy who opened it
     * @param bool          $overdue  whether the first response is late
     * @param list<Comment> $comments oldest first; empty when none
     */
    public function __construct(
        public string $number,
        public string $accountNumber,
        public ?string $serverNumber,
        public string $subject,
        public string $description,
        public string $severity,
        public string $status,
        public ?string $assignee,
        public string $openedBy,
        public ?string $resolution,
        public DateTimeImmutable $responseDueAt,
        public ?DateTimeImmutable $respondedAt,
        public ?DateTimeImmutable $solvedAt,
        public bool $overdue,
        public int $version,
        public DateTimeImmutable $createdAt,
        public DateTimeImmutable $updatedAt,
        public array $comments,
    ) {
    }

    /**
     * Build a ticket from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            number: Decode::string($data, 'number'),
            accountNumber: Decode::string($data, 'accountNumber'),
            serverNumber: Decode::optionalString($data, 'serverNumber'),
            subject: Decode::string($data, 'subject'),
            description: Decode::string($data, 'description'),
            severity: Decode::string($data, 'severity'),
            status: Decode::string($data, 'status'),
            assignee: Decode::optionalString($data, 'assignee'),
            openedBy: Decode::string($data, 'openedBy'),
            resolution: Decode::optionalString($data, 'resolution'),
            responseDueAt: Decode::dateTime($data, 'responseDueAt'),
            respondedAt: Decode::optionalDateTime($data, 'respondedAt'),
            solvedAt: Decode::optionalDateTime($data, 'solvedAt'),
            overdue: Decode::bool($data, 'overdue'),
            version: Decode::int($data, 'version'),
            createdAt: Decode::dateTime($data, 'createdAt'),
            updatedAt: Decode::dateTime($data, 'updatedAt'),
            comments: array_map(
                Comment::fromSoap(...),
                Decode::list($data->comments ?? null, 'Comment'),
            ),
        );
    }
}
