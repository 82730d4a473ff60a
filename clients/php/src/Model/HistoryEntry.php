<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * One recorded change of an entity.
 */
final readonly class HistoryEntry
{
    /**
     * @param string            $entityType user, account, contact, server or ticket
     * @param string            $key        the entity's number, user name or id
     * @param string            $action     what was done, e.g. "created"
     * @param string            $actor      who did it
     * @param list<FieldChange> $changes    the fields changed; empty when none
     */
    public function __construct(
        public string $entityType,
        public string $key,
        public string $action,
        public string $actor,
        public DateTimeImmutable $at,
        public array $changes,
    ) {
    }

    /**
     * Build a history entry from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            entityType: Decode::string($data, 'entityType'),
            key: Decode::string($data, 'key'),
            action: Decode::string($data, 'action'),
            actor: Decode::string($data, 'actor'),
            at: Decode::dateTime($data, 'at'),
            changes: array_map(
                FieldChange::fromSoap(...),
                Decode::list($data->changes ?? null, 'FieldChange'),
            ),
        );
    }
}
