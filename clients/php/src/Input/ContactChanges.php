<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * Changes to a contact; null fields stay, empty texts clear them.
 */
final readonly class ContactChanges extends Input
{
    public function __construct(
        public ?string $name = null,
        public ?string $role = null,
        public ?string $email = null,
        public ?string $phone = null,
        public ?string $street = null,
        public ?string $city = null,
        public ?string $postalCode = null,
        public ?string $country = null,
    ) {
    }
}
