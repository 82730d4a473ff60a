<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * A server to order for an account.
 */
final readonly class ServerOrder extends Input
{
    /** Exact money as decimal text. */
    public string $monthlyPrice;

    /**
     * @param string|int $monthlyPrice exact money as decimal text, e.g. "19.99", or an int; never a float
     * @throws \InvalidArgumentException when the price is not decimal text
     */
    public function __construct(
        public string $dataCentre,
        public string $hardwareProfile,
        public string $operatingSystem,
        string|int $monthlyPrice,
    ) {
        $this->monthlyPrice = self::money($monthlyPrice, 'monthlyPrice');
    }
}
