<?php

/**
 * Test bootstrap: the client's autoloader and the tests' own classes.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require __DIR__ . '/scenario/raw_scenario.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'Core\\Client\\Tests\\';
    if (str_starts_with($class, $prefix)) {
        $relative = str_replace('\\', '/', substr($class, strlen($prefix)));
        require __DIR__ . "/{$relative}.php";
    }
});
