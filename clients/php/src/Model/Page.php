<?php

declare(strict_types=1);

namespace Core\Client\Model;

use Core\Client\Soap\Decode;

/**
 * One page of a search: its records and the cursor of the next page.
 *
 * Pass nextCursor to the same search, with the same filter, for the next
 * page; it is null on the last page.
 *
 * @template T of object
 * @implements \IteratorAggregate<int, T>
 */
final readonly class Page implements \IteratorAggregate, \Countable
{
    /**
     * @param list<T>     $items      the records of this page; empty when none
     * @param string|null $nextCursor null on the last page
     */
    public function __construct(
        public array $items,
        public ?string $nextCursor,
    ) {
    }

    /**
     * Build a page from SoapClient's decoded page, whose items wrap repeated
     * elements named after the record type.
     *
     * @template R of object
     * @param string                $element the repeated element, e.g. "Ticket"
     * @param callable(object): R   $record  builds one record
     * @return self<R>
     */
    public static function fromSoap(object $data, string $element, callable $record): self
    {
        $items = array_map($record, Decode::list($data->items ?? null, $element));

        return new self(array_values($items), Decode::optionalString($data, 'nextCursor'));
    }

    /**
     * Whether a next page exists.
     */
    public function hasMore(): bool
    {
        return $this->nextCursor !== null;
    }

    /**
     * @return \ArrayIterator<int, T>
     */
    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->items);
    }

    public function count(): int
    {
        return count($this->items);
    }
}
