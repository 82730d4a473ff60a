<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * The service or its WSDL could not be reached, or answered something that is
 * not SOAP: a refused connection, a timeout, an HTTP error page from a proxy.
 *
 * No SOAP fault was received, so it is not known whether a write took place;
 * retry writes with the same request id.
 */
final class TransportException extends \RuntimeException implements ExceptionInterface
{
}
