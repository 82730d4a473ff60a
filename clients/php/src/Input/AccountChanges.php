<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * Changes to an account; null fields stay as they are.
 */
final readonly class AccountChanges extends Input
{
    /**
     * @param string|null $slaTier "standard" or "premium"
     * @param string|null $manager an agent's user name; an empty text removes the manager
     */
    public function __construct(
        public ?string $name = null,
        public ?string $slaTier = null,
        public ?string $manager = null,
    ) {
    }
}
