<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * Changes to a server; data centre and hardware only while it is ordered.
 */
final readonly class ServerChanges extends Input
{
    /** Exact money as decimal text, or null. */
    public ?string $monthlyPrice;

    /**
     * @param string|int|null $monthlyPrice exact money as decimal text, or an int; never a float
     * @throws \InvalidArgumentException when the price is not decimal text
     */
    public function __construct(
        public ?string $dataCentre = null,
        public ?string $hardwareProfile = null,
        public ?string $operatingSystem = null,
        string|int|null $monthlyPrice = null,
    ) {
        $this->monthlyPrice = self::money($monthlyPrice, 'monthlyPrice');
    }
}
