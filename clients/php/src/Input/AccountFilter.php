<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * What to look for among accounts; null fields do not filter.
 */
final readonly class AccountFilter extends Input
{
    /**
     * @param string|null $status  prospect, active, suspended or closed
     * @param string|null $manager the manager's user name
     * @param string|null $text    part of the name, any case
     */
    public function __construct(
        public ?string $status = null,
        public ?string $slaTier = null,
        public ?string $manager = null,
        public ?string $text = null,
    ) {
    }
}
