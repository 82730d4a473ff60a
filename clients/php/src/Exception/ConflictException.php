<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.Conflict: Somebody changed the entity first (a stale expected
 * version), or a value that must be unique is taken.
 */
final class ConflictException extends CoreException
{
}
