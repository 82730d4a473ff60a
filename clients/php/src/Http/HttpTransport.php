<?php

declare(strict_types=1);

namespace Core\Client\Http;

use Core\Client\Exception\TransportException;

/**
 * Sends one HTTP request and returns the answer, whatever its status.
 *
 * The client uses {@see StreamTransport} unless given another implementation,
 * for example one that goes through a company's HTTP stack.
 */
interface HttpTransport
{
    /**
     * @param string       $method  GET or POST
     * @param list<string> $headers complete header lines, e.g. "SOAPAction: \"\""
     * @throws TransportException when no answer was received
     */
    public function request(
        string $method,
        string $url,
        array $headers = [],
        ?string $body = null,
    ): HttpResponse;
}
