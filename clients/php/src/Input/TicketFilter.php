<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * What to look for among tickets; null fields do not filter.
 */
final readonly class TicketFilter extends Input
{
    /**
     * @param string|null $accountNumber only this account's tickets
     * @param string|null $status        new, open, pending_customer, solved or closed
     * @param string|null $assignee      the assignee's user name
     * @param string|null $text          part of the subject, any case
     * @param bool|null   $overdue       only tickets whose first response is late
     * @param string|null $serverNumber  only tickets about this server
     */
    public function __construct(
        public ?string $accountNumber = null,
        public ?string $status = null,
        public ?string $severity = null,
        public ?string $assignee = null,
        public ?string $text = null,
        public ?bool $overdue = null,
        public ?string $serverNumber = null,
    ) {
    }
}
