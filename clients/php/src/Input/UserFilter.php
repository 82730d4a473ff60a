<?php

declare(strict_types=1);

namespace Core\Client\Input;

/**
 * What to look for among users; null fields do not filter.
 */
final readonly class UserFilter extends Input
{
    /**
     * @param string|null $text part of the display name, any case
     */
    public function __construct(
        public ?string $role = null,
        public ?bool $active = null,
        public ?string $text = null,
    ) {
    }
}
