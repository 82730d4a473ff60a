<?php

/**
 * PSR-4 autoloader of the CORE client, for use without Composer:
 * require this file, then use the Core\Client classes.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'Core\\Client\\';
    if (!str_starts_with($class, $prefix)) {
        return;
    }

    $relative = str_replace('\\', DIRECTORY_SEPARATOR, substr($class, strlen($prefix)));
    $file = __DIR__ . DIRECTORY_SEPARATOR . 'src' . DIRECTORY_SEPARATOR . $relative . '.php';
    if (is_file($file)) {
        require $file;
    }
});
