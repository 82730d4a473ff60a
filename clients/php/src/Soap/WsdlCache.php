<?php

declare(strict_types=1);

namespace Core\Client\Soap;

use Core\Client\Exception\TransportException;
use Core\Client\Http\HttpTransport;

/**
 * Local copies of the WSDL, each named after the SHA-256 of its content.
 *
 * PHP's own WSDL cache is keyed by the WSDL's address and kept for a day
 * (soap.wsdl_cache_ttl), so after a contract change PHP code keeps calling
 * with the old contract until somebody clears /tmp/wsdl-*. Here the client
 * downloads the WSDL each time it is created (one GET), stores it under a
 * name holding its hash, and hands SoapClient that file. A changed contract
 * has a new hash, hence a new file name, and SoapClient parses it afresh;
 * an unchanged one keeps its name, so SoapClient's in-memory cache of the
 * parsed WSDL still applies.
 */
final class WsdlCache
{
    /** Copies unused for this long are removed when a new one is stored. */
    private const KEEP_SECONDS = 30 * 86400;

    /**
     * @param string $directory where the copies are kept
     * @param bool   $private   whether the directory must belong to the user
     *                          running PHP, as a default one in a shared temp
     *                          directory must
     */
    public function __construct(
        private readonly string $directory,
        private readonly HttpTransport $transport,
        private readonly bool $private = false,
    ) {
    }

    /**
     * The default directory: one per system user, under the temp directory.
     */
    public static function defaultDirectory(): string
    {
        $user = function_exists('posix_geteuid') ? (string) posix_geteuid() : get_current_user();

        return sys_get_temp_dir() . DIRECTORY_SEPARATOR . 'core-wsdl-' . $user;
    }

    /**
     * Fetch the WSDL and return the path of its local copy.
     *
     * @param string       $wsdl    an http(s) URL, or a local file path
     * @param list<string> $headers extra header lines, e.g. Authorization
     * @throws TransportException when the WSDL cannot be fetched or stored
     */
    public function localCopy(string $wsdl, array $headers = []): string
    {
        $content = $this->fetch($wsdl, $headers);
        if (!str_contains($content, 'definitions')) {
            throw new TransportException("{$wsdl} is not a WSDL document");
        }

        return $this->store($content);
    }

    /**
     * @param list<string> $headers
     */
    private function fetch(string $wsdl, array $headers): string
    {
        if (preg_match('#^https?://#i', $wsdl) !== 1) {
            $content = is_file($wsdl) ? file_get_contents($wsdl) : false;
            if ($content === false) {
                throw new TransportException("cannot read the WSDL file {$wsdl}");
            }

            return $content;
        }

        $response = $this->transport->request('GET', $wsdl, $headers);
        if ($response->status !== 200) {
            throw new TransportException(
                "cannot fetch the WSDL from {$wsdl}: {$response->statusLine()}"
            );
        }

        return $response->body;
    }

    private function store(string $content): string
    {
        $this->prepareDirectory();
        $hash = hash('sha256', $content);
        $path = $this->directory . DIRECTORY_SEPARATOR . "core-{$hash}.wsdl";
        if (is_file($path) && hash_file('sha256', $path) === $hash) {
            @touch($path);

            return $path;
        }

        $this->write($path, $content);
        $this->removeUnused($path);

        return $path;
    }

    /**
     * Create the directory, and refuse one that other users could write to:
     * they could swap the contract the client trusts.
     */
    private function prepareDirectory(): void
    {
        $directory = $this->directory;
        if (!is_dir($directory) && !@mkdir($directory, 0700, true) && !is_dir($directory)) {
            throw new TransportException("cannot create the WSDL cache directory {$directory}");
        }

        clearstatcache(true, $directory);
        $owner = function_exists('posix_geteuid') ? posix_geteuid() : fileowner($directory);
        $foreign = $this->private && (is_link($directory) || fileowner($directory) !== $owner);
        if ($foreign || (fileperms($directory) & 0002) !== 0) {
            throw new TransportException(
                "the WSDL cache directory {$directory} is writable by other users, or not its user's own"
            );
        }
    }

    /**
     * Write atomically: concurrent clients see the old file or the whole new one.
     */
    private function write(string $path, string $content): void
    {
        $temporary = @tempnam($this->directory, 'core-');
        $written = $temporary !== false && @file_put_contents($temporary, $content) === strlen($content);
        if (!$written || !@chmod($temporary, 0644) || !@rename($temporary, $path)) {
            if ($temporary !== false) {
                @unlink($temporary);
            }
            throw new TransportException("cannot write the WSDL copy {$path}");
        }
    }

    private function removeUnused(string $current): void
    {
        $limit = time() - self::KEEP_SECONDS;
        foreach (glob($this->directory . DIRECTORY_SEPARATOR . 'core-*.wsdl') ?: [] as $file) {
            if ($file !== $current && (int) @filemtime($file) < $limit) {
                @unlink($file);
            }
        }
    }
}
