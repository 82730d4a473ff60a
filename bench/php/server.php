<?php
// The benchmark's PHP reference: ext/soap's SoapServer serving getAccount,
// getTicket and searchTickets from CORE's own WSDL (wsdl/core.wsdl) over the
// same database tables through PDO (SQLite or PostgreSQL).
//
// It does what CORE does for these calls, and no more: it reads the signed-in
// user's row on every call (CORE's credential cache then trusts a password it
// verified a moment ago; so does this reference, keyed by an HMAC), applies
// the same visibility rule for customers, joins the same rows, and answers
// with the same elements. It is a yardstick for the benchmark, not a service.

declare(strict_types=1);

const WAITING = ['new', 'open', 'pending_customer'];
const STAFF = ['admin', 'agent', 'readonly'];

/** A PDO connection that counts its statements, like CORE's statement_count. */
final class CountingDb
{
    public int $statements = 0;
    private PDO $pdo;
    private bool $sqlite;
    /** @var array<string, PDOStatement> */
    private array $prepared = [];

    /** @param array<string, string> $config */
    public function __construct(array $config)
    {
        if (($config['driver'] ?? '') === 'sqlite') {
            $this->pdo = new PDO('sqlite:' . $config['path']);
            $this->sqlite = true;
        } else {
            $this->pdo = new PDO($config['dsn'], $config['user'] ?: null, $config['password'] ?: null);
            $this->sqlite = false;
            $this->pdo->exec("SET TIME ZONE 'UTC'");
            if (!empty($config['schema'])) {
                $this->pdo->exec('SET search_path TO "' . $config['schema'] . '"');
            }
        }
        $this->pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $this->pdo->setAttribute(PDO::ATTR_DEFAULT_FETCH_MODE, PDO::FETCH_ASSOC);
    }

    /** @return list<array<string, mixed>> */
    public function all(string $sql, array $params = []): array
    {
        $this->statements++;
        $statement = $this->prepared[$sql] ??= $this->pdo->prepare($sql);
        $statement->execute($params);
        $rows = $statement->fetchAll();
        $statement->closeCursor();
        return $rows;
    }

    /** Turn a stored UTC timestamp into CORE's xs:dateTime text. */
    public function time(?string $value): ?string
    {
        if ($value === null) {
            return null;
        }
        if ($this->sqlite) {
            return str_replace(' ', 'T', $value) . '+00:00';
        }
        return (new DateTimeImmutable($value))->format('Y-m-d\TH:i:s.uP');
    }

    public function flag(mixed $value): bool
    {
        return $value === true || $value === 1 || $value === '1' || $value === 't';
    }
}

final class CoreReference
{
    private ?array $user = null;
    private string $key;
    /** @var array<string, string> */
    private array $verified = [];

    public function __construct(private CountingDb $db)
    {
        $this->key = random_bytes(32);
    }

    /** Sign in from HTTP Basic on every call, as CORE does. */
    private function signIn(): array
    {
        $name = $_SERVER['PHP_AUTH_USER'] ?? '';
        $password = $_SERVER['PHP_AUTH_PW'] ?? '';
        $rows = $this->db->all(
            'SELECT id, username, role, account_id, active, password_hash FROM core_user WHERE username = ?',
            [$name]
        );
        if (!$rows || !$this->db->flag($rows[0]['active'])) {
            throw new SoapFault('Client.Authentication', 'unknown user name or wrong password');
        }
        $entry = hash_hmac('sha256', $name . "\0" . $password, $this->key);
        $this->verified[$entry] = $rows[0]['password_hash'];
        return $this->user = $rows[0];
    }

    private function staff(): bool
    {
        return in_array($this->user['role'], STAFF, true);
    }

    public function getAccount($request)
    {
        $this->signIn();
        $rows = $this->db->all(
            'SELECT a.*, m.username AS manager FROM account a'
            . ' LEFT JOIN core_user m ON m.id = a.manager_id WHERE a.number = ?',
            [(string) $request->accountNumber]
        );
        if (!$rows || (!$this->staff() && (int) $rows[0]['id'] !== (int) $this->user['account_id'])) {
            throw new SoapFault('Client.NotFound', "account '{$request->accountNumber}' does not exist");
        }
        $row = $rows[0];
        return ['getAccountResult' => $this->compact([
            'number' => $row['number'],
            'name' => $row['name'],
            'slaTier' => $row['sla_tier'],
            'manager' => $row['manager'],
            'status' => $row['status'],
            'version' => (int) $row['version'],
            'createdAt' => $this->db->time($row['created_at']),
            'updatedAt' => $this->db->time($row['updated_at']),
        ])];
    }

    private const TICKET_COLUMNS = 'SELECT t.*, a.number AS account_number, s.number AS server_number,'
        . ' u.username AS assignee, o.username AS opened_by FROM ';
    private const TICKET_JOINS = ' JOIN account a ON a.id = t.account_id'
        . ' LEFT JOIN server s ON s.id = t.server_id'
        . ' LEFT JOIN core_user u ON u.id = t.assignee_id'
        . ' JOIN core_user o ON o.id = t.opened_by_id';

    public function getTicket($request)
    {
        $this->signIn();
        $rows = $this->db->all(
            self::TICKET_COLUMNS . 'ticket t' . self::TICKET_JOINS . ' WHERE t.number = ?',
            [(string) $request->ticketNumber]
        );
        if (!$rows || (!$this->staff() && (int) $rows[0]['account_id'] !== (int) $this->user['account_id'])) {
            throw new SoapFault('Client.NotFound', "ticket '{$request->ticketNumber}' does not exist");
        }
        $sql = 'SELECT c.*, u.username AS author FROM ticket_comment c'
            . ' JOIN core_user u ON u.id = c.author_id WHERE c.ticket_id = ?'
            . ($this->staff() ? '' : ' AND c.public = TRUE')
            . ' ORDER BY c.id';
        $comments = [];
        foreach ($this->db->all($sql, [$rows[0]['id']]) as $comment) {
            $comments[] = [
                'id' => (int) $comment['id'],
                'ticketNumber' => $rows[0]['number'],
                'author' => $comment['author'],
                'body' => $comment['body'],
                'public' => $this->db->flag($comment['public']),
                'createdAt' => $this->db->time($comment['created_at']),
            ];
        }
        return ['getTicketResult' => $this->ticket($rows[0], $comments)];
    }

    public function searchTickets($request)
    {
        $this->signIn();
        $size = isset($request->pageSize) ? (int) $request->pageSize : 50;
        [$where, $params] = $this->ticketFilter($request->filter ?? null);
        if (!empty($request->cursor)) {
            $decoded = json_decode(base64_decode(strtr($request->cursor, '-_', '+/')), true);
            $where[] = 't.id < ?';
            $params[] = (int) $decoded[1][0];
        }
        // The page's tickets first, then their joined rows: a planner left to
        // order the joins may scan users first for a small LIMIT.
        $page = 'SELECT * FROM ticket t WHERE ' . ($where ? implode(' AND ', $where) : '1 = 1')
            . ' ORDER BY t.id DESC LIMIT ' . ($size + 1);
        $sql = self::TICKET_COLUMNS . "($page) t" . self::TICKET_JOINS . ' ORDER BY t.id DESC';
        $rows = $this->db->all($sql, $params);
        $items = [];
        foreach (array_slice($rows, 0, $size) as $row) {
            $items[] = $this->ticket($row, []);
        }
        $page = ['items' => ['Ticket' => $items]];
        if (count($rows) > $size) {
            $last = $rows[$size - 1];
            $cursor = json_encode(['-id', [(int) $last['id']]]);
            $page['nextCursor'] = rtrim(strtr(base64_encode($cursor), '+/', '-_'), '=');
        }
        return ['searchTicketsResult' => $page];
    }

    /** @return array{0: list<string>, 1: list<mixed>} */
    private function ticketFilter($filter): array
    {
        $where = [];
        $params = [];
        foreach (['status' => 't.status = ?', 'severity' => 't.severity = ?',
            'accountNumber' => 't.account_id IN (SELECT id FROM account WHERE number = ?)'] as $field => $condition) {
            if (!empty($filter->$field)) {
                $where[] = $condition;
                $params[] = (string) $filter->$field;
            }
        }
        if (!$this->staff()) {
            $where[] = 't.account_id = ?';
            $params[] = (int) $this->user['account_id'];
        }
        return [$where, $params];
    }

    private function ticket(array $row, array $comments): array
    {
        $responded = $row['responded_at'];
        $overdue = $responded === null && in_array($row['status'], WAITING, true)
            && $this->db->time($row['response_due_at']) < gmdate('Y-m-d\TH:i:s');
        return $this->compact([
            'number' => $row['number'],
            'accountNumber' => $row['account_number'],
            'serverNumber' => $row['server_number'],
            'subject' => $row['subject'],
            'description' => $row['description'],
            'severity' => $row['severity'],
            'status' => $row['status'],
            'assignee' => $row['assignee'],
            'openedBy' => $row['opened_by'],
            'resolution' => $row['resolution'],
            'responseDueAt' => $this->db->time($row['response_due_at']),
            'respondedAt' => $this->db->time($responded),
            'solvedAt' => $this->db->time($row['solved_at']),
            'overdue' => $overdue,
            'version' => (int) $row['version'],
            'createdAt' => $this->db->time($row['created_at']),
            'updatedAt' => $this->db->time($row['updated_at']),
            'comments' => ['Comment' => $comments],
        ]);
    }

    /** Leave absent fields out, as CORE does, instead of sending xsi:nil. */
    private function compact(array $fields): array
    {
        return array_filter($fields, static fn ($value) => $value !== null);
    }
}

/**
 * Build the reference's SoapServer over CORE's WSDL.
 *
 * @param array<string, string> $config the database to read
 */
function core_reference_server(string $wsdl, array $config): array
{
    ini_set('soap.wsdl_cache_enabled', '1');
    $db = new CountingDb($config);
    $server = new SoapServer($wsdl, ['cache_wsdl' => WSDL_CACHE_MEMORY, 'encoding' => 'UTF-8']);
    $server->setObject(new CoreReference($db));
    return [$server, $db];
}
