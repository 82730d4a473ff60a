<?php

declare(strict_types=1);

namespace Core\Client\Http;

use Core\Client\Exception\TransportException;

/**
 * HTTP over PHP's own stream wrapper: no extension beyond the standard ones.
 *
 * Redirects are not followed (a SOAP POST must not silently become a GET).
 * TLS and proxy settings go in $context, as stream context options, e.g.
 * ['ssl' => ['cafile' => '/etc/ssl/ca.pem'], 'http' => ['proxy' => 'tcp://p:3128']].
 */
final class StreamTransport implements HttpTransport
{
    /**
     * @param float                               $timeout seconds to wait for the
     *                                                     connection and for each read
     * @param array<string, array<string, mixed>> $context extra stream context options
     */
    public function __construct(
        private readonly float $timeout = 30.0,
        private readonly array $context = [],
        private readonly string $userAgent = 'core-php-client/1.0',
    ) {
    }

    public function request(
        string $method,
        string $url,
        array $headers = [],
        ?string $body = null,
    ): HttpResponse {
        $http = [
            'method' => $method,
            'header' => [...$headers, 'Connection: close'],
            'timeout' => $this->timeout,
            'ignore_errors' => true,
            'follow_location' => 0,
            'protocol_version' => 1.1,
            'user_agent' => $this->userAgent,
        ];
        if ($body !== null) {
            $http['content'] = $body;
        }

        $options = array_replace_recursive($this->context, ['http' => $http]);
        $started = microtime(true);
        [$stream, $problem] = self::open($url, stream_context_create($options));
        if ($stream === false && microtime(true) - $started >= $this->timeout) {
            throw new TransportException("no answer from {$url} within {$this->timeout} s");
        }
        if ($stream === false) {
            throw new TransportException("cannot reach {$url}: {$problem}");
        }

        try {
            return $this->read($stream, $url);
        } finally {
            fclose($stream);
        }
    }

    /**
     * Open the URL, keeping PHP's warning as the reason of a failure.
     *
     * @param resource $context
     * @return array{0: resource|false, 1: string}
     */
    private static function open(string $url, $context): array
    {
        $problem = 'unknown error';
        set_error_handler(static function (int $level, string $message) use (&$problem): bool {
            $problem = preg_replace('/^.*?: /', '', $message) ?? $message;

            return true;
        });
        try {
            $stream = fopen($url, 'rb', false, $context);
        } finally {
            restore_error_handler();
        }

        return [$stream, $problem];
    }

    /**
     * @param resource $stream
     */
    private function read($stream, string $url): HttpResponse
    {
        $body = stream_get_contents($stream);
        $meta = stream_get_meta_data($stream);
        if ($meta['timed_out'] || $body === false) {
            throw new TransportException("no complete answer from {$url} within {$this->timeout} s");
        }

        [$status, $reason, $headers] = self::parseHeaders($meta['wrapper_data'] ?? []);
        if ($status === 0) {
            throw new TransportException("{$url} did not answer with HTTP");
        }

        return new HttpResponse($status, $reason, $headers, $body);
    }

    /**
     * Read the status line and the headers of the last answer received.
     *
     * @param array<int, string> $lines
     * @return array{0: int, 1: string, 2: array<string, string>}
     */
    private static function parseHeaders(array $lines): array
    {
        $status = 0;
        $reason = '';
        $headers = [];
        foreach ($lines as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})\s*(.*)$#', $line, $match) === 1) {
                [$status, $reason, $headers] = [(int) $match[1], trim($match[2]), []];
            } elseif (str_contains($line, ':')) {
                [$name, $value] = explode(':', $line, 2);
                $headers[strtolower(trim($name))] = trim($value);
            }
        }

        return [$status, $reason, $headers];
    }
}
