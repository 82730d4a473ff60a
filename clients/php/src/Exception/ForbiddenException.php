<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.Forbidden: The caller's role does not allow the operation.
 */
final class ForbiddenException extends CoreException
{
}
