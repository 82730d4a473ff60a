<?php

declare(strict_types=1);

namespace Core\Client;

use Core\Client\Exception\CoreException;
use Core\Client\Exception\TransportException;
use Core\Client\Http\HttpTransport;
use Core\Client\Http\StreamTransport;
use Core\Client\Input\AccountChanges;
use Core\Client\Input\AccountFilter;
use Core\Client\Input\AccountInput;
use Core\Client\Input\ContactChanges;
use Core\Client\Input\ContactInput;
use Core\Client\Input\ServerChanges;
use Core\Client\Input\ServerFilter;
use Core\Client\Input\ServerOrder;
use Core\Client\Input\TicketFilter;
use Core\Client\Input\TicketInput;
use Core\Client\Input\UserChanges;
use Core\Client\Input\UserFilter;
use Core\Client\Input\UserInput;
use Core\Client\Model\Account;
use Core\Client\Model\Comment;
use Core\Client\Model\Contact;
use Core\Client\Model\HistoryEntry;
use Core\Client\Model\Page;
use Core\Client\Model\PingResult;
use Core\Client\Model\Server;
use Core\Client\Model\Ticket;
use Core\Client\Model\User;
use Core\Client\Soap\Faults;
use Core\Client\Soap\SoapConnection;
use Core\Client\Soap\UsernameToken;
use Core\Client\Soap\WsdlCache;

/**
 * The CORE SOAP service as typed PHP methods, one per operation of the WSDL.
 *
 * Every method returns plain value objects: lists are always arrays (also
 * with one element or none), times are DateTimeImmutable in UTC, money is
 * exact decimal text. Every SOAP fault becomes a subclass of
 * {@see CoreException} named after its fault code, and a failure to reach the
 * service a {@see TransportException}. Inputs are input objects or arrays of
 * the same fields; null arguments and fields are not sent.
 *
 * Every method may throw {@see CoreException} subclasses (the ones listed are
 * the likely ones) and {@see TransportException}.
 */
final class CoreClient
{
    /** HTTP Basic authentication on every request. */
    public const AUTH_BASIC = 'basic';
    /** A WS-Security UsernameToken header in every request. */
    public const AUTH_WSSE = 'wsse';

    private readonly SoapConnection $soap;

    /**
     * Load the WSDL and prepare the connection; no operation is called yet.
     *
     * The WSDL is downloaded on every construction and kept in $cacheDir under
     * a name holding its SHA-256, so a new contract is used as soon as it is
     * published; reuse one client for many calls.
     *
     * @param string                  $wsdl      the WSDL's URL, e.g.
     *                                           https://core.example/soap?wsdl,
     *                                           or a local file path
     * @param string                  $auth      self::AUTH_BASIC or self::AUTH_WSSE
     * @param float                   $timeout   seconds to wait for the connection
     *                                           and for each read
     * @param string|null             $cacheDir  where WSDL copies are kept; a
     *                                           per-user temp directory by default
     * @param string|null             $location  the endpoint to call instead of
     *                                           the WSDL's soap:address
     * @param HttpTransport|null      $transport the HTTP implementation;
     *                                           $timeout applies to the default one
     * @throws TransportException        when the WSDL cannot be fetched or used
     * @throws \InvalidArgumentException for an unknown $auth, or credentials
     *                                   that a UsernameToken cannot carry
     */
    public function __construct(
        string $wsdl,
        string $username,
        string $password,
        string $auth = self::AUTH_BASIC,
        float $timeout = 30.0,
        ?string $cacheDir = null,
        ?string $location = null,
        ?HttpTransport $transport = null,
    ) {
        if (!in_array($auth, [self::AUTH_BASIC, self::AUTH_WSSE], true)) {
            throw new \InvalidArgumentException("auth must be 'basic' or 'wsse', not '{$auth}'");
        }

        $transport ??= new StreamTransport($timeout);
        $basic = 'Authorization: Basic ' . base64_encode("{$username}:{$password}");
        $cache = new WsdlCache($cacheDir ?? WsdlCache::defaultDirectory(), $transport, private: $cacheDir === null);
        $wsdlFile = $cache->localCopy($wsdl, [$basic]);

        $options = [
            'soap_version' => SOAP_1_1,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
            // The file name changes with the content, so caching it is safe.
            'cache_wsdl' => WSDL_CACHE_MEMORY,
            'exceptions' => true,
        ];
        if ($location !== null) {
            $options['location'] = $location;
        }

        $headers = $auth === self::AUTH_BASIC ? [$basic] : [];
        try {
            $this->soap = new SoapConnection($wsdlFile, $transport, $headers, $options);
        } catch (\SoapFault $fault) {
            throw new TransportException("cannot use the WSDL of {$wsdl}: {$fault->getMessage()}", 0, $fault);
        }

        if ($auth === self::AUTH_WSSE) {
            $this->soap->__setSoapHeaders([UsernameToken::header($username, $password)]);
        }
    }

    // General

    /**
     * Tell that the service answers: its version, schema version and clock.
     *
     * Needs no valid credentials.
     */
    public function ping(): PingResult
    {
        return $this->one('ping', [], PingResult::fromSoap(...));
    }

    /**
     * Return the user the client is signed in as.
     *
     * @throws Exception\AuthenticationException
     */
    public function whoAmI(): User
    {
        return $this->one('whoAmI', [], User::fromSoap(...));
    }

    /**
     * Return every recorded change of one entity, oldest first (staff only).
     *
     * @param string     $entityType user, account, contact, server or ticket
     * @param string|int $key        the entity's number, user name or contact id
     * @return list<HistoryEntry>
     * @throws Exception\NotFoundException
     * @throws Exception\ForbiddenException
     */
    public function getHistory(string $entityType, string|int $key): array
    {
        $arguments = ['entityType' => $entityType, 'key' => (string) $key];

        return $this->list('getHistory', $arguments, HistoryEntry::fromSoap(...));
    }

    // Users (administrators only)

    /**
     * Create a user; a customer user needs the number of its account.
     *
     * @param UserInput|array<string, mixed> $user
     * @param string|null                    $requestId your id for the request; a
     *                                                  retry with it returns the
     *                                                  first result
     * @throws Exception\ValidationException
     * @throws Exception\ConflictException   when the user name is taken
     * @throws Exception\ForbiddenException
     */
    public function createUser(UserInput|array $user, ?string $requestId = null): User
    {
        $arguments = ['user' => UserInput::from($user)->toSoap(), 'requestId' => $requestId];

        return $this->one('createUser', $arguments, User::fromSoap(...));
    }

    /**
     * Return one user by user name.
     *
     * @throws Exception\NotFoundException
     * @throws Exception\ForbiddenException
     */
    public function getUser(string $username): User
    {
        return $this->one('getUser', ['username' => $username], User::fromSoap(...));
    }

    /**
     * Change a user's name, e-mail, role, account, active flag or password.
     *
     * @param UserChanges|array<string, mixed> $changes
     * @param int                              $expectedVersion the version you read
     * @throws Exception\ConflictException when the version is stale
     */
    public function updateUser(string $username, UserChanges|array $changes, int $expectedVersion): User
    {
        $arguments = [
            'username' => $username,
            'changes' => UserChanges::from($changes)->toSoap(),
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('updateUser', $arguments, User::fromSoap(...));
    }

    /**
     * Return a page of users in user-name order.
     *
     * @param UserFilter|array<string, mixed>|null $filter
     * @param int|null                             $pageSize 1 to 500, 50 when null
     * @param string|null                          $cursor   the previous page's
     *                                                       nextCursor
     * @return Page<User>
     */
    public function searchUsers(
        UserFilter|array|null $filter = null,
        ?int $pageSize = null,
        ?string $cursor = null,
    ): Page {
        $arguments = $this->search($filter === null ? null : UserFilter::from($filter), $pageSize, $cursor);

        return $this->page('searchUsers', $arguments, 'User', User::fromSoap(...));
    }

    // Accounts

    /**
     * Create a prospect account and return it with its new number.
     *
     * @param AccountInput|array<string, mixed> $account
     * @param string|null                       $requestId your id for the request;
     *                                                     a retry with it returns
     *                                                     the first result
     * @throws Exception\ValidationException
     * @throws Exception\ForbiddenException
     */
    public function createAccount(AccountInput|array $account, ?string $requestId = null): Account
    {
        $arguments = ['account' => AccountInput::from($account)->toSoap(), 'requestId' => $requestId];

        return $this->one('createAccount', $arguments, Account::fromSoap(...));
    }

    /**
     * Return one account by its number.
     *
     * @throws Exception\NotFoundException
     */
    public function getAccount(string $accountNumber): Account
    {
        return $this->one('getAccount', ['accountNumber' => $accountNumber], Account::fromSoap(...));
    }

    /**
     * Change an account's name, SLA tier or manager.
     *
     * @param AccountChanges|array<string, mixed> $changes
     * @param int                                 $expectedVersion the version you read
     * @throws Exception\ConflictException when the version is stale
     */
    public function updateAccount(
        string $accountNumber,
        AccountChanges|array $changes,
        int $expectedVersion,
    ): Account {
        $arguments = [
            'accountNumber' => $accountNumber,
            'changes' => AccountChanges::from($changes)->toSoap(),
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('updateAccount', $arguments, Account::fromSoap(...));
    }

    /**
     * Return a page of accounts, newest first, matching the filter.
     *
     * @param AccountFilter|array<string, mixed>|null $filter
     * @param int|null                                $pageSize 1 to 500, 50 when null
     * @param string|null                             $cursor   the previous page's
     *                                                          nextCursor
     * @return Page<Account>
     */
    public function searchAccounts(
        AccountFilter|array|null $filter = null,
        ?int $pageSize = null,
        ?string $cursor = null,
    ): Page {
        $arguments = $this->search($filter === null ? null : AccountFilter::from($filter), $pageSize, $cursor);

        return $this->page('searchAccounts', $arguments, 'Account', Account::fromSoap(...));
    }

    /**
     * Make a prospect account active; it needs a complete primary contact.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     * @throws Exception\BusinessRuleException
     */
    public function activateAccount(string $accountNumber, ?int $expectedVersion = null): Account
    {
        return $this->accountStep('activateAccount', $accountNumber, $expectedVersion);
    }

    /**
     * Suspend an active account and each of its online servers.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     * @throws Exception\BusinessRuleException
     */
    public function suspendAccount(string $accountNumber, ?int $expectedVersion = null): Account
    {
        return $this->accountStep('suspendAccount', $accountNumber, $expectedVersion);
    }

    /**
     * Make a suspended account active again; its servers stay suspended.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     * @throws Exception\BusinessRuleException
     */
    public function reactivateAccount(string $accountNumber, ?int $expectedVersion = null): Account
    {
        return $this->accountStep('reactivateAccount', $accountNumber, $expectedVersion);
    }

    /**
     * Close an account for good: its servers decommissioned, tickets closed.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     * @throws Exception\BusinessRuleException
     */
    public function closeAccount(string $accountNumber, ?int $expectedVersion = null): Account
    {
        return $this->accountStep('closeAccount', $accountNumber, $expectedVersion);
    }

    // Contacts

    /**
     * Add a contact to an account; a new primary contact demotes the old one.
     *
     * @param ContactInput|array<string, mixed> $contact
     * @param string|null                       $requestId your id for the request;
     *                                                     a retry with it returns
     *                                                     the first result
     * @throws Exception\ValidationException with field() and rule(), e.g.
     *                                       "postalCode" and "postal_code"
     */
    public function addContact(
        string $accountNumber,
        ContactInput|array $contact,
        ?string $requestId = null,
    ): Contact {
        $arguments = [
            'accountNumber' => $accountNumber,
            'contact' => ContactInput::from($contact)->toSoap(),
            'requestId' => $requestId,
        ];

        return $this->one('addContact', $arguments, Contact::fromSoap(...));
    }

    /**
     * Return one contact by its id.
     *
     * @throws Exception\NotFoundException
     */
    public function getContact(int $contactId): Contact
    {
        return $this->one('getContact', ['contactId' => $contactId], Contact::fromSoap(...));
    }

    /**
     * Change a contact; making it primary demotes the account's old primary.
     *
     * Null fields stay as they are; an empty text clears an optional field.
     *
     * @param ContactChanges|array<string, mixed> $changes
     * @param int                                 $expectedVersion the version you read
     * @throws Exception\ConflictException when the version is stale
     */
    public function updateContact(int $contactId, ContactChanges|array $changes, int $expectedVersion): Contact
    {
        $arguments = [
            'contactId' => $contactId,
            'changes' => ContactChanges::from($changes)->toSoap(),
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('updateContact', $arguments, Contact::fromSoap(...));
    }

    /**
     * Remove a contact; an active account's primary contact stays.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     * @return bool true once removed
     * @throws Exception\BusinessRuleException
     */
    public function removeContact(int $contactId, ?int $expectedVersion = null): bool
    {
        $arguments = ['contactId' => $contactId, 'expectedVersion' => $expectedVersion];
        $response = $this->invoke('removeContact', $arguments);

        return filter_var($response->removeContactResult ?? false, FILTER_VALIDATE_BOOLEAN);
    }

    /**
     * Return every contact of an account, primary first.
     *
     * @return list<Contact> empty when the account has none
     * @throws Exception\NotFoundException
     */
    public function listContacts(string $accountNumber): array
    {
        return $this->list('listContacts', ['accountNumber' => $accountNumber], Contact::fromSoap(...));
    }

    // Servers

    /**
     * Order a server for an active account.
     *
     * @param ServerOrder|array<string, mixed> $order     monthlyPrice as decimal
     *                                                    text, e.g. "19.99"
     * @param string|null                      $requestId your id for the request;
     *                                                    a retry with it returns
     *                                                    the first result
     * @throws Exception\BusinessRuleException when the account is not active
     */
    public function orderServer(string $accountNumber, ServerOrder|array $order, ?string $requestId = null): Server
    {
        $arguments = [
            'accountNumber' => $accountNumber,
            'order' => ServerOrder::from($order)->toSoap(),
            'requestId' => $requestId,
        ];

        return $this->one('orderServer', $arguments, Server::fromSoap(...));
    }

    /**
     * Return one server by its number.
     *
     * @throws Exception\NotFoundException
     */
    public function getServer(string $serverNumber): Server
    {
        return $this->one('getServer', ['serverNumber' => $serverNumber], Server::fromSoap(...));
    }

    /**
     * Change a server's system or price; data centre and hardware while ordered.
     *
     * @param ServerChanges|array<string, mixed> $changes
     * @param int                                $expectedVersion the version you read
     * @throws Exception\ConflictException when the version is stale
     */
    public function updateServer(string $serverNumber, ServerChanges|array $changes, int $expectedVersion): Server
    {
        $arguments = [
            'serverNumber' => $serverNumber,
            'changes' => ServerChanges::from($changes)->toSoap(),
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('updateServer', $arguments, Server::fromSoap(...));
    }

    /**
     * Return a page of servers, newest first, matching the filter.
     *
     * @param ServerFilter|array<string, mixed>|null $filter
     * @param int|null                               $pageSize 1 to 500, 50 when null
     * @param string|null                            $cursor   the previous page's
     *                                                         nextCursor
     * @return Page<Server>
     */
    public function searchServers(
        ServerFilter|array|null $filter = null,
        ?int $pageSize = null,
        ?string $cursor = null,
    ): Page {
        $arguments = $this->search($filter === null ? null : ServerFilter::from($filter), $pageSize, $cursor);

        return $this->page('searchServers', $arguments, 'Server', Server::fromSoap(...));
    }

    /**
     * Start provisioning an ordered server.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     */
    public function startProvisioning(string $serverNumber, ?int $expectedVersion = null): Server
    {
        return $this->serverStep('startProvisioning', $serverNumber, $expectedVersion);
    }

    /**
     * Bring a provisioned server online with its host name and primary IP.
     *
     * @param string   $primaryIp       an IPv4 or IPv6 address
     * @param int|null $expectedVersion when given, a stale version is refused
     * @throws Exception\ConflictException when the address is in use
     */
    public function completeProvisioning(
        string $serverNumber,
        string $hostname,
        string $primaryIp,
        ?int $expectedVersion = null,
    ): Server {
        $arguments = [
            'serverNumber' => $serverNumber,
            'hostname' => $hostname,
            'primaryIp' => $primaryIp,
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('completeProvisioning', $arguments, Server::fromSoap(...));
    }

    /**
     * Suspend an online server.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     */
    public function suspendServer(string $serverNumber, ?int $expectedVersion = null): Server
    {
        return $this->serverStep('suspendServer', $serverNumber, $expectedVersion);
    }

    /**
     * Bring a suspended server online again; its account must be active.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     */
    public function resumeServer(string $serverNumber, ?int $expectedVersion = null): Server
    {
        return $this->serverStep('resumeServer', $serverNumber, $expectedVersion);
    }

    /**
     * Decommission a server for good; its IP address may be reused.
     *
     * @param int|null $expectedVersion when given, a stale version is refused
     */
    public function decommissionServer(string $serverNumber, ?int $expectedVersion = null): Server
    {
        return $this->serverStep('decommissionServer', $serverNumber, $expectedVersion);
    }

    // Tickets

    /**
     * Open a ticket; its response is due by its severity and the SLA tier.
     *
     * @param TicketInput|array<string, mixed> $ticket
     * @param string|null                      $requestId your id for the request;
     *                                                    a retry with it returns
     *                                                    the first result
     * @throws Exception\ValidationException
     * @throws Exception\BusinessRuleException
     */
    public function openTicket(TicketInput|array $ticket, ?string $requestId = null): Ticket
    {
        $arguments = ['ticket' => TicketInput::from($ticket)->toSoap(), 'requestId' => $requestId];

        return $this->one('openTicket', $arguments, Ticket::fromSoap(...));
    }

    /**
     * Return one ticket with its comments (customers see public ones only).
     *
     * @throws Exception\NotFoundException
     */
    public function getTicket(string $ticketNumber): Ticket
    {
        return $this->one('getTicket', ['ticketNumber' => $ticketNumber], Ticket::fromSoap(...));
    }

    /**
     * Return a page of tickets, newest first, matching the filter.
     *
     * @param TicketFilter|array<string, mixed>|null $filter
     * @param int|null                               $pageSize 1 to 500, 50 when null
     * @param string|null                            $cursor   the previous page's
     *                                                         nextCursor
     * @return Page<Ticket>
     */
    public function searchTickets(
        TicketFilter|array|null $filter = null,
        ?int $pageSize = null,
        ?string $cursor = null,
    ): Page {
        $arguments = $this->search($filter === null ? null : TicketFilter::from($filter), $pageSize, $cursor);

        return $this->page('searchTickets', $arguments, 'Ticket', Ticket::fromSoap(...));
    }

    /**
     * Comment on a ticket; customers may only write public comments.
     *
     * @param bool $public whether the customer sees it
     */
    public function addComment(string $ticketNumber, string $body, bool $public): Comment
    {
        $arguments = ['ticketNumber' => $ticketNumber, 'body' => $body, 'public' => $public];

        return $this->one('addComment', $arguments, Comment::fromSoap(...));
    }

    /**
     * Assign a ticket to an active agent, or unassign it.
     *
     * @param string|null $assignee        an agent's user name; null unassigns
     * @param int|null    $expectedVersion when given, a stale version is refused
     */
    public function assignTicket(string $ticketNumber, ?string $assignee, ?int $expectedVersion = null): Ticket
    {
        $arguments = [
            'ticketNumber' => $ticketNumber,
            'assignee' => $assignee,
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('assignTicket', $arguments, Ticket::fromSoap(...));
    }

    /**
     * Move a ticket through its life cycle; solving needs a resolution.
     *
     * @param string      $status          new, open, pending_customer, solved
     *                                     or closed
     * @param string|null $resolution      how it was solved; required to solve
     * @param int|null    $expectedVersion when given, a stale version is refused
     * @throws Exception\ValidationException when solving without a resolution
     */
    public function changeTicketStatus(
        string $ticketNumber,
        string $status,
        ?string $resolution = null,
        ?int $expectedVersion = null,
    ): Ticket {
        $arguments = [
            'ticketNumber' => $ticketNumber,
            'status' => $status,
            'resolution' => $resolution,
            'expectedVersion' => $expectedVersion,
        ];

        return $this->one('changeTicketStatus', $arguments, Ticket::fromSoap(...));
    }

    // Plumbing

    private function accountStep(string $operation, string $accountNumber, ?int $expectedVersion): Account
    {
        $arguments = ['accountNumber' => $accountNumber, 'expectedVersion' => $expectedVersion];

        return $this->one($operation, $arguments, Account::fromSoap(...));
    }

    private function serverStep(string $operation, string $serverNumber, ?int $expectedVersion): Server
    {
        $arguments = ['serverNumber' => $serverNumber, 'expectedVersion' => $expectedVersion];

        return $this->one($operation, $arguments, Server::fromSoap(...));
    }

    /**
     * @return array<string, mixed>
     */
    private function search(?Input\Input $filter, ?int $pageSize, ?string $cursor): array
    {
        return ['filter' => $filter?->toSoap(), 'pageSize' => $pageSize, 'cursor' => $cursor];
    }

    /**
     * Call an operation that returns one record, and build it.
     *
     * @template T
     * @param array<string, mixed>  $arguments
     * @param callable(object): T   $build
     * @return T
     */
    private function one(string $operation, array $arguments, callable $build): mixed
    {
        $result = $this->invoke($operation, $arguments)->{$operation . 'Result'} ?? null;
        if (!is_object($result)) {
            throw new TransportException("the answer to {$operation} holds no result");
        }

        return $this->decode($operation, static fn (): mixed => $build($result));
    }

    /**
     * Call an operation that returns repeated records, and build the list.
     *
     * @template T
     * @param array<string, mixed>  $arguments
     * @param callable(object): T   $build
     * @return list<T>
     */
    private function list(string $operation, array $arguments, callable $build): array
    {
        $response = $this->invoke($operation, $arguments);
        $records = Soap\Decode::list($response, $operation . 'Result');

        return $this->decode($operation, static fn (): array => array_map($build, $records));
    }

    /**
     * Call a search operation and build its page.
     *
     * @template T of object
     * @param array<string, mixed>  $arguments
     * @param callable(object): T   $build
     * @return Page<T>
     */
    private function page(string $operation, array $arguments, string $element, callable $build): Page
    {
        $result = $this->invoke($operation, $arguments)->{$operation . 'Result'} ?? null;
        if (!is_object($result)) {
            throw new TransportException("the answer to {$operation} holds no page");
        }

        return $this->decode($operation, static fn (): Page => Page::fromSoap($result, $element, $build));
    }

    /**
     * Send one request; null arguments are left out.
     *
     * @param array<string, mixed> $arguments
     */
    private function invoke(string $operation, array $arguments): object
    {
        $arguments = array_filter($arguments, static fn (mixed $value): bool => $value !== null);
        try {
            $response = $this->soap->__soapCall($operation, [$arguments]);
        } catch (\SoapFault $fault) {
            throw Faults::exception($fault);
        }

        if (!is_object($response)) {
            throw new TransportException("the answer to {$operation} is not a SOAP response");
        }

        return $response;
    }

    /**
     * Run $build, reporting an answer that does not fit the contract.
     *
     * @template T
     * @param callable(): T $build
     * @return T
     */
    private function decode(string $operation, callable $build): mixed
    {
        try {
            return $build();
        } catch (\UnexpectedValueException $error) {
            throw new TransportException("malformed answer to {$operation}: {$error->getMessage()}", 0, $error);
        }
    }
}
