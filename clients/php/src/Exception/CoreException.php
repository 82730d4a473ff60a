<?php

declare(strict_types=1);

namespace Core\Client\Exception;

/**
 * A SOAP fault answered by CORE: the service refused or failed the request.
 *
 * Each fault code has its own subclass. The accessors expose the fault's
 * detail: the stable business code, the input field and rule concerned, and
 * for internal errors the incident id to quote to support.
 */
abstract class CoreException extends \RuntimeException implements ExceptionInterface
{
    /**
     * @param string      $message      what failed and why
     * @param string      $faultCode    the fault code without its namespace prefix
     * @param string|null $businessCode the stable business code of the detail
     * @param string|null $field        the input field concerned
     * @param string|null $rule         the rule that refused the request
     * @param string|null $incidentId   the incident id of an internal error
     */
    public function __construct(
        string $message,
        private readonly string $faultCode,
        private readonly ?string $businessCode = null,
        private readonly ?string $field = null,
        private readonly ?string $rule = null,
        private readonly ?string $incidentId = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, 0, $previous);
    }

    /**
     * The SOAP fault code without its namespace prefix, e.g. "Client.NotFound".
     */
    public function faultCode(): string
    {
        return $this->faultCode;
    }

    /**
     * The stable business code of the fault's detail, e.g. "not_found".
     *
     * Null for faults without a CORE detail, such as schema validation errors.
     */
    public function businessCode(): ?string
    {
        return $this->businessCode;
    }

    /**
     * The input field concerned, e.g. "postalCode", when the fault names one.
     */
    public function field(): ?string
    {
        return $this->field;
    }

    /**
     * The rule that refused the request, e.g. "primary_contact_required".
     */
    public function rule(): ?string
    {
        return $this->rule;
    }

    /**
     * The incident id of an internal error, also written to the server's log.
     */
    public function incidentId(): ?string
    {
        return $this->incidentId;
    }
}
