<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Exception\CoreException;
use Core\Client\Input\ContactInput;
use Core\Client\Model\Account;
use Core\Client\Model\Server;
use PHPUnit\Framework\TestCase;

/**
 * Base of the tests against a real CORE server named by the environment.
 */
abstract class CoreTestCase extends TestCase
{
    /** @var array<string, CoreClient> */
    private static array $clients = [];
    private static ?string $cacheDir = null;

    /**
     * The value of a required environment variable; skips the test without it.
     */
    protected static function env(string $name): string
    {
        $value = getenv($name);
        if (!is_string($value) || $value === '') {
            self::markTestSkipped("{$name} is not set: these tests need a running CORE server");
        }

        return $value;
    }

    protected static function wsdl(): string
    {
        return self::env('CORE_WSDL');
    }

    protected static function demoPassword(): string
    {
        return self::env('CORE_DEMO_PASSWORD');
    }

    /**
     * A per-run directory for WSDL copies, removed at exit.
     */
    protected static function cacheDir(): string
    {
        if (self::$cacheDir === null) {
            self::$cacheDir = sys_get_temp_dir() . '/core-php-tests-' . getmypid() . '-' . bin2hex(random_bytes(4));
            mkdir(self::$cacheDir, 0700);
            register_shutdown_function([self::class, 'removeTree'], self::$cacheDir);
        }

        return self::$cacheDir;
    }

    /**
     * A client of the test server, shared by the tests of this run.
     *
     * @param string|null $password the demo password when null
     */
    protected static function client(
        string $username = 'alice',
        ?string $password = null,
        string $auth = CoreClient::AUTH_BASIC,
    ): CoreClient {
        $password ??= self::demoPassword();
        $key = implode("\0", [$username, $password, $auth]);

        return self::$clients[$key] ??= new CoreClient(
            self::wsdl(),
            $username,
            $password,
            auth: $auth,
            timeout: 20.0,
            cacheDir: self::cacheDir(),
        );
    }

    /**
     * A new client of the test server, not shared; $options are CoreClient's
     * named options (the test run's cache directory is added).
     */
    protected static function newClient(string $username, string $password, mixed ...$options): CoreClient
    {
        return new CoreClient(self::wsdl(), $username, $password, ...[...$options, 'cacheDir' => self::cacheDir()]);
    }

    protected static function admin(): CoreClient
    {
        return self::client('admin', self::env('CORE_ADMIN_PASSWORD'));
    }

    /**
     * $prefix followed by a random suffix, so reruns do not collide.
     */
    protected static function unique(string $prefix): string
    {
        return $prefix . ' ' . bin2hex(random_bytes(4));
    }

    /**
     * A new active account, with one primary contact.
     */
    protected static function newActiveAccount(?string $name = null, string $slaTier = 'standard'): Account
    {
        $core = self::client();
        $account = $core->createAccount(['name' => $name ?? self::unique('PHP Test'), 'slaTier' => $slaTier]);
        $core->addContact($account->number, new ContactInput(
            name: 'Pat Primary',
            role: 'primary',
            country: 'US',
            email: 'pat@example.com',
            phone: '+1 415 555 2671',
            postalCode: '94103',
        ));

        return $core->activateAccount($account->number);
    }

    /**
     * A new server of $accountNumber, ordered (not yet provisioned).
     */
    protected static function newServer(string $accountNumber, string $price = '19.99'): Server
    {
        return self::client()->orderServer($accountNumber, [
            'dataCentre' => 'fra1',
            'hardwareProfile' => 'vm-small',
            'operatingSystem' => 'Debian 12',
            'monthlyPrice' => $price,
        ]);
    }

    /**
     * A new online server of $accountNumber, with a fresh host name and address.
     */
    protected static function newOnlineServer(string $accountNumber): Server
    {
        $core = self::client();
        $server = self::newServer($accountNumber);
        $core->startProvisioning($server->number);
        $host = 'php' . bin2hex(random_bytes(5)) . '.example.net';

        return $core->completeProvisioning($server->number, $host, self::freeAddress());
    }

    /**
     * An IPv6 address in the documentation range that no other test uses,
     * in the canonical form the service answers with.
     */
    protected static function freeAddress(): string
    {
        $groups = array_map(static fn (): string => dechex(random_int(0x1000, 0xFFFF)), range(1, 6));

        return '2001:db8:' . implode(':', $groups);
    }

    /**
     * Run $call and return the CoreException it throws.
     *
     * @template T of CoreException
     * @param class-string<T> $class
     * @return T
     */
    protected function fault(string $class, callable $call): CoreException
    {
        try {
            $call();
        } catch (CoreException $error) {
            $this->assertInstanceOf($class, $error, $error->faultCode() . ': ' . $error->getMessage());

            return $error;
        }

        $this->fail("expected {$class}, nothing was thrown");
    }

    /**
     * Remove a directory and everything in it; links are removed, not followed.
     */
    public static function removeTree(string $directory): void
    {
        foreach (glob($directory . '/*') ?: [] as $file) {
            is_dir($file) && !is_link($file) ? self::removeTree($file) : @unlink($file);
        }
        @rmdir($directory);
    }
}
