<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * Changes to a user; null fields stay as they are.
 */
final readonly class UserChanges extends Input
{
    /**
     * @param string|null $accountNumber a customer's account; an empty text unbinds
     * @param string|null $password      a new password
     */
    public function __construct(
        public ?string $displayName = null,
        public ?string $email = null,
        public ?string $role = null,
        public ?bool $active = null,
        public ?string $accountNumber = null,
        public ?string $password = null,
    ) {
    }
}
