<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;
use DateTimeImmutable;

/**
 * A managed server ordered by an account.
 */
final readonly class Server
{
    /**
     * @param string      $number       stable server number, e.g. S-200017
     * @param string      $monthlyPrice exact money as decimal text, e.g. "19.99";
     *                                  use bcmath or a money library, never float
     * @param string|null $hostname     set once provisioned
     * @param string|null $primaryIp    set once provisioned
     * @param string      $status       ordered, provisioning, online, suspended
     *                                  or decommissioned
     */
    public function __construct(
        public string $number,
        public string $accountNumber,
        public string $dataCentre,
        public string $hardwareProfile,
        public string $operatingSystem,
        public string $monthlyPrice,
        public ?string $hostname,
        public ?string $primaryIp,
        public string $status,
        public int $version,
        public DateTimeImmutable $createdAt,
        public DateTimeImmutable $updatedAt,
    ) {
    }

    /**
     * Build a server from SoapClient's decoded record.
     */
    public static function fromSoap(object $data): self
    {
        return new self(
            number: Decode::string($data, 'number'),
            accountNumber: Decode::string($data, 'accountNumber'),
            dataCentre: Decode::string($data, 'dataCentre'),
            hardwareProfile: Decode::string($data, 'hardwareProfile'),
            operatingSystem: Decode::string($data, 'operatingSystem'),
            monthlyPrice: Decode::decimal($data, 'monthlyPrice'),
            hostname: Decode::optionalString($data, 'hostname'),
            primaryIp: Decode::optionalString($data, 'primaryIp'),
            status: Decode::string($data, 'status'),
            version: Decode::int($data, 'version'),
            createdAt: Decode::dateTime($data, 'createdAt'),
            updatedAt: Decode::dateTime($data, 'updatedAt'),
        );
    }
}
