<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * A new contact of an account.
 */
final readonly class ContactInput extends Input
{
    /**
     * @param string      $role       primary, billing or technical
     * @param string      $country    ISO 3166 alpha-2 code, e.g. DE
     * @param string|null $phone      any national or international form
     * @param string|null $postalCode checked against the country's format
     */
    public function __construct(
        public string $name,
        public string $role,
        public string $country,
        public ?string $email = null,
        public ?string $phone = null,
        public ?string $street = null,
        public ?string $city = null,
        public ?string $postalCode = null,
    ) {
    }
}
