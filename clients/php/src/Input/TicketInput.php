<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * A new ticket.
 */
final readonly class TicketInput extends Input
{
    /**
     * @param string      $subject      one line summary
     * @param string      $description  what happened
     * @param string|null $severity     low, normal (the default), high or emergency
     * @param string|null $serverNumber the server it is about; needed for emergencies
     */
    public function __construct(
        public string $accountNumber,
        public string $subject,
        public string $description,
        public ?string $severity = null,
        public ?string $serverNumber = null,
    ) {
    }
}
