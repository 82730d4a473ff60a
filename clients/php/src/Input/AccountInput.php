<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * A new account; it starts as a prospect.
 */
final readonly class AccountInput extends Input
{
    /**
     * @param string      $name    the account's name, 1 to 120 characters
     * @param string|null $slaTier "standard" (the default) or "premium"
     * @param string|null $manager the user name of an active agent
     */
    public function __construct(
        public string $name,
        public ?string $slaTier = null,
        public ?string $manager = null,
    ) {
    }
}
