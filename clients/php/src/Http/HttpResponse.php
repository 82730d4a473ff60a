<?php

declare(strict_types=1);

namespace Core\Client\Http;

/**
 * An HTTP answer: its status, headers and body.
 */
final readonly class HttpResponse
{
    /**
     * @param array<string, string> $headers by lower-case name
     */
    public function __construct(
        public int $status,
        public string $reason,
        public array $headers,
        public string $body,
    ) {
    }

    /**
     * The value of a header, or null when it was not sent.
     */
    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /**
     * Whether the body is an XML document, as a SOAP answer or fault must be.
     */
    public function isXml(): bool
    {
        $type = strtolower($this->header('Content-Type') ?? '');
        if ($type !== '' && !str_contains($type, 'xml')) {
            return false;
        }

        return str_starts_with(ltrim($this->body, "\xEF\xBB\xBF \t\r\n"), '<');
    }

    /**
     * "HTTP 502 Bad Gateway", for messages.
     */
    public function statusLine(): string
    {
        return trim("HTTP {$this->status} {$this->reason}");
    }
}
