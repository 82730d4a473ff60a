<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * What a caller can learn without signing in.
 */
final readonly class PingResult
{
    /**
     * @param string            $serviceVersion CORE's release
     * @param int               $schemaVersion  the database schema version
     * @param DateTimeImmutable $serverTime     the server's clock, UTC
     */
    public function __construct(
        public string $serviceVersion,
        public int $schemaVersion,
        public DateTimeImmutable $serverTime,
    ) {
    }

    /**
     * Build a ping result from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            serviceVersion: Decode::string($data, 'serviceVersion'),
            schemaVersion: Decode::int($data, 'schemaVersion'),
            serverTime: Decode::dateTime($data, 'serverTime'),
        );
    }
}
