<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.Validation: An input value was refused; field() and rule() say
 * which and why. Schema validation faults (Client.SchemaValidationError and
 * the like), any other unknown Client fault, and requests that PHP could not
 * encode raise it too.
 */
final class ValidationException extends CoreException
{
}
