<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * Fault Client.BusinessRule: The operation breaks a business rule; rule()
 * names it.
 */
final class BusinessRuleException extends CoreException
{
}
