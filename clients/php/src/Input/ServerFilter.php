<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * What to look for among servers; null fields do not filter.
 */
final readonly class ServerFilter extends Input
{
    /**
     * @param string|null $accountNumber only this account's servers
     * @param string|null $status        ordered, provisioning, online, suspended or decommissioned
     * @param string|null $text          part of the host name
     */
    public function __construct(
        public ?string $accountNumber = null,
        public ?string $status = null,
        public ?string $dataCentre = null,
        public ?string $text = null,
    ) {
    }
}
