<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.Authentication: The credentials are missing or wrong, or the
 * user is locked for a while.
 */
final class AuthenticationException extends CoreException
{
}
