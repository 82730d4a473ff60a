<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use Core\Client\Exception\TransportException;
use Core\Client\Http\StreamTransport;
use Core\Client\Soap\WsdlCache;

/**
 * A changed contract is used at once; no cache has to be cleared by hand.
 */
final class WsdlCacheTest extends CoreTestCase
{
    private string $directory;

    protected function setUp(): void
    {
        $this->directory = self::cacheDir() . '/' . bin2hex(random_bytes(6));
    }

    public function testCopiesAreNamedByTheirContentHash(): void
    {
        $cache = new WsdlCache($this->directory, new StreamTransport(10.0));
        $path = $cache->localCopy(self::wsdl());

        $content = (string) file_get_contents($path);
        $this->assertSame('core-' . hash('sha256', $content) . '.wsdl', basename($path));
        $this->assertSame($path, $cache->localCopy(self::wsdl()), 'an unchanged contract keeps its copy');
        $this->assertSame(0700, fileperms($this->directory) & 0777);
    }

    public function testANewContractAtTheSameAddressIsUsedAtOnce(): void
    {
        $served = (string) file_get_contents(self::wsdl());
        preg_match('/<wsdlsoap11:address location="([^"]+)"/', $served, $match);
        $this->assertNotEmpty($match, 'the WSDL names its endpoint');
        $file = $this->directory . '-contract.wsdl';

        // The first version of the contract points at an endpoint that is gone.
        file_put_contents($file, str_replace($match[1], 'http://127.0.0.1:9/soap', $served));
        $old = new CoreClient($file, 'alice', self::demoPassword(), cacheDir: $this->directory);
        try {
            $old->ping();
            $this->fail('the old contract names a dead endpoint');
        } catch (TransportException) {
        }

        // Republished at the same place, the new one is picked up by new clients.
        file_put_contents($file, $served);
        $new = new CoreClient($file, 'alice', self::demoPassword(), cacheDir: $this->directory);
        $this->assertSame('alice', $new->whoAmI()->username);
        $this->assertCount(2, glob($this->directory . '/core-*.wsdl') ?: []);
        unlink($file);
    }

    public function testATamperedCopyIsReplaced(): void
    {
        $cache = new WsdlCache($this->directory, new StreamTransport(10.0));
        $path = $cache->localCopy(self::wsdl());
        file_put_contents($path, '<definitions/>');

        $this->assertSame($path, $cache->localCopy(self::wsdl()));
        $this->assertSame(basename($path), 'core-' . hash_file('sha256', $path) . '.wsdl');
    }

    public function testCopiesUnusedForAMonthAreRemoved(): void
    {
        mkdir($this->directory, 0700, true);
        $stale = $this->directory . '/core-' . str_repeat('0', 64) . '.wsdl';
        $recent = $this->directory . '/core-' . str_repeat('1', 64) . '.wsdl';
        file_put_contents($stale, 'old');
        file_put_contents($recent, 'recent');
        touch($stale, time() - 31 * 86400);

        (new WsdlCache($this->directory, new StreamTransport(10.0)))->localCopy(self::wsdl());
        $this->assertFileDoesNotExist($stale);
        $this->assertFileExists($recent);
    }

    public function testADirectoryOthersCanWriteIsRefused(): void
    {
        mkdir($this->directory, 0700, true);
        chmod($this->directory, 0777);

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('is writable by other users');
        (new WsdlCache($this->directory, new StreamTransport(10.0)))->localCopy(self::wsdl());
    }

    public function testADefaultDirectoryThatIsALinkIsRefused(): void
    {
        mkdir($this->directory . '-target', 0700, true);
        symlink($this->directory . '-target', $this->directory);

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage("not its user's own");
        (new WsdlCache($this->directory, new StreamTransport(10.0), private: true))->localCopy(self::wsdl());
    }

    public function testSomethingElseThanAWsdlIsRefused(): void
    {
        $health = str_replace('/soap?wsdl', '/health', self::wsdl());
        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('is not a WSDL document');
        new CoreClient($health, 'alice', 'x', cacheDir: $this->directory);
    }

    public function testTheDefaultDirectoryIsPerUserUnderTheTempDirectory(): void
    {
        $expected = sys_get_temp_dir() . DIRECTORY_SEPARATOR . 'core-wsdl-';
        $this->assertStringStartsWith($expected, WsdlCache::defaultDirectory());
    }
}
