<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Server.Unavailable: The database cannot be reached; retrying later is
 * safe.
 */
final class UnavailableException extends CoreException
{
}
