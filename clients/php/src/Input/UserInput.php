<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * A new user; a customer user needs the number of its account.
 */
final readonly class UserInput extends Input
{
    /**
     * @param string      $role          admin, agent, readonly or customer
     * @param string      $password      at least 10 characters
     * @param string|null $accountNumber required for a customer user
     */
    public function __construct(
        public string $username,
        public string $displayName,
        public string $email,
        public string $role,
        public string $password,
        public ?string $accountNumber = null,
    ) {
    }
}
