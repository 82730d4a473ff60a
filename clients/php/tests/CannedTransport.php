<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Http\HttpResponse;
use Core\Client\Http\HttpTransport;
use Core\Client\Http\StreamTransport;

/**
 * Fetches the WSDL for real and answers every SOAP request with one canned
 * response: what a broken proxy or an odd server could send.
 */
final class CannedTransport implements HttpTransport
{
    /** @var list<array{string, string, list<string>}> */
    public array $requests = [];

    public function __construct(private readonly HttpResponse $answer)
    {
    }

    public function request(string $method, string $url, array $headers = [], ?string $body = null): HttpResponse
    {
        $this->requests[] = [$method, $url, $headers];
        if ($method === 'GET') {
            return (new StreamTransport(10.0))->request($method, $url, $headers, $body);
        }

        return $this->answer;
    }
}
