<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\Input\ServerChanges;
use Core\Client\Input\ServerFilter;
use Core\Client\Input\ServerOrder;
use Core\Client\Model\Server;

/**
 * The server operations through the client.
 */
final class ServersTest extends CoreTestCase
{
    public function testLifeCycle(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();

        $order = new ServerOrder('fra1', 'vm-small', 'Debian 12', '19.99');
        $server = $core->orderServer($account->number, $order);
        $this->assertSame(['ordered', '19.99', null, null], [
            $server->status, $server->monthlyPrice, $server->hostname, $server->primaryIp,
        ]);
        $this->assertEquals($server, $core->getServer($server->number));

        $changed = $core->updateServer($server->number, new ServerChanges(hardwareProfile: 'vm-large'), 1);
        $this->assertSame('vm-large', $changed->hardwareProfile);

        $this->assertSame('provisioning', $core->startProvisioning($server->number)->status);
        $host = 'php' . bin2hex(random_bytes(5)) . '.example.net';
        $address = self::freeAddress();
        $online = $core->completeProvisioning($server->number, $host, $address);
        $this->assertSame(['online', $host, $address], [$online->status, $online->hostname, $online->primaryIp]);

        $this->assertSame('suspended', $core->suspendServer($server->number)->status);
        $this->assertSame('online', $core->resumeServer($server->number)->status);
        $repriced = $core->updateServer($server->number, ['monthlyPrice' => '24.50'], $online->version + 2);
        $this->assertSame('24.50', $repriced->monthlyPrice);
        $this->assertSame('decommissioned', $core->decommissionServer($server->number)->status);
    }

    public function testSearchByAccountAndStatus(): void
    {
        $core = self::client();
        $account = self::newActiveAccount();
        $online = self::newOnlineServer($account->number);
        $ordered = self::newServer($account->number);

        $all = $core->searchServers(new ServerFilter(accountNumber: $account->number));
        $this->assertSame([$ordered->number, $online->number], array_map(fn (Server $s) => $s->number, $all->items));

        $onlineOnly = $core->searchServers(['accountNumber' => $account->number, 'status' => 'online']);
        $this->assertSame([$online->number], array_map(fn (Server $s) => $s->number, $onlineOnly->items));
    }
}
