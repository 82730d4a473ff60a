<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Marker of every exception the CORE client throws on purpose.
 *
 * Catch it to handle refusals by the service ({@see CoreException}) and
 * transport failures ({@see TransportException}) in one place.
 */
interface ExceptionInterface extends \Throwable
{
}
