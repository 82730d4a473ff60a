<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.NotFound: The entity named does not exist, or the caller may
 * not see it.
 */
final class NotFoundException extends CoreException
{
}
