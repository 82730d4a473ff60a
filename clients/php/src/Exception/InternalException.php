<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Server.Internal: Something unexpected failed on the server; quote
 * incidentId() to support. Server faults with an unknown code raise it too.
 */
final class InternalException extends CoreException
{
}
