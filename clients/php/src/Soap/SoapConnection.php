<?php

declare(strict_types=1);

namespace Core\Client\Soap;

use Core\Client\Exception\TransportException;
use Core\Client\Http\HttpTransport;

/**
 * SoapClient whose HTTP goes through an {@see HttpTransport}.
 *
 * This gives every call the client's timeout and authentication headers, and
 * turns answers that are not SOAP (a proxy's error page, an empty body) into a
 * {@see TransportException} instead of SoapClient's "looks like we got no
 * XML document".
 *
 * @internal
 */
final class SoapConnection extends \SoapClient
{
    /**
     * @param string               $wsdlFile the local copy of the WSDL
     * @param list<string>         $headers  header lines sent with every request
     * @param array<string, mixed> $options  SoapClient options
     */
    public function __construct(
        string $wsdlFile,
        private readonly HttpTransport $transport,
        private readonly array $headers,
        array $options,
    ) {
        parent::__construct($wsdlFile, $options);
    }

    public function __doRequest(
        string $request,
        string $location,
        string $action,
        int $version,
        bool $oneWay = false,
    ): ?string {
        $headers = [
            'Content-Type: text/xml; charset=utf-8',
            'SOAPAction: "' . $action . '"',
            ...$this->headers,
        ];
        $response = $this->transport->request('POST', $location, $headers, $request);
        if (!$response->isXml()) {
            throw new TransportException(
                "{$location} answered {$response->statusLine()} without a SOAP envelope"
            );
        }

        return $response->body;
    }
}
