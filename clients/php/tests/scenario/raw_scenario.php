<?php

/**
 * One business scenario driven with PHP's plain SoapClient, no CORE client.
 *
 * It proves that the WSDL is usable by any PHP code: create an account with
 * a contact, activate it, order servers with exact prices, open and comment
 * a ticket, read everything back and provoke a fault. run_raw_scenario.php
 * prints its result as JSON, for comparison with other clients.
 */

declare(strict_types=1);

/**
 * Texts that an encoding slip anywhere would change.
 */
const CORE_RAW_TEXTS = [
    'account' => 'Raw Ünïcode 日本 🚀 <&> "quoted"',
    'contact' => 'Zoë Ångström-Øre',
    'subject' => 'Zugriff verweigert – 接続できません 🔥',
    'description' => "Línea uno\n行二 <b>&amp;</b> 'x'\n👩‍💻",
    'comment' => 'コメント ✓ naïve café',
];

/**
 * Prices that binary floats would change.
 */
const CORE_RAW_PRICES = ['0.10', '19.99', '99999999.99'];

/**
 * Run the scenario and return what was created and read, as plain arrays.
 *
 * @return array<string, mixed>
 */
function core_raw_scenario(string $wsdl, string $username, string $password): array
{
    $soap = new SoapClient($wsdl, [
        'login' => $username,
        'password' => $password,
        'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'exceptions' => true,
    ]);
    $suffix = ' ' . bin2hex(random_bytes(4));

    $account = $soap->createAccount([
        'account' => ['name' => CORE_RAW_TEXTS['account'] . $suffix, 'slaTier' => 'premium'],
    ])->createAccountResult;
    $soap->addContact([
        'accountNumber' => $account->number,
        'contact' => [
            'name' => CORE_RAW_TEXTS['contact'],
            'role' => 'primary',
            'email' => 'zoe@example.com',
            'phone' => '030 901820',
            'postalCode' => '10117',
            'country' => 'DE',
        ],
    ]);
    $soap->activateAccount(['accountNumber' => $account->number]);

    $servers = [];
    foreach (CORE_RAW_PRICES as $price) {
        $servers[] = $soap->orderServer([
            'accountNumber' => $account->number,
            'order' => [
                'dataCentre' => 'fra1',
                'hardwareProfile' => 'vm-small',
                'operatingSystem' => 'Debian 12',
                'monthlyPrice' => $price,
            ],
        ])->orderServerResult;
    }

    $ticket = $soap->openTicket([
        'ticket' => [
            'accountNumber' => $account->number,
            'subject' => CORE_RAW_TEXTS['subject'],
            'description' => CORE_RAW_TEXTS['description'],
            'severity' => 'high',
            'serverNumber' => $servers[0]->number,
        ],
    ])->openTicketResult;
    $soap->addComment(['ticketNumber' => $ticket->number, 'body' => CORE_RAW_TEXTS['comment'], 'public' => true]);

    $page = $soap->searchTickets(['filter' => ['accountNumber' => $account->number], 'pageSize' => 10]);
    $found = $soap->searchServers(['filter' => ['accountNumber' => $account->number], 'pageSize' => 10]);

    try {
        $soap->getAccount(['accountNumber' => 'A-999999']);
        $fault = null;
    } catch (SoapFault $error) {
        $fault = [
            'faultcode' => substr((string) strrchr(':' . $error->faultcode, ':'), 1),
            'detail' => $error->detail->NotFoundFault ?? null,
        ];
    }

    return core_raw_plain([
        'account' => $soap->getAccount(['accountNumber' => $account->number])->getAccountResult,
        'contacts' => $soap->listContacts(['accountNumber' => $account->number])->listContactsResult ?? [],
        'servers' => array_map(
            static fn (object $s): object => $soap->getServer(['serverNumber' => $s->number])->getServerResult,
            $servers,
        ),
        'searchedServers' => $found->searchServersResult->items->Server ?? [],
        'ticket' => $soap->getTicket(['ticketNumber' => $ticket->number])->getTicketResult,
        'tickets' => $page->searchTicketsResult->items->Ticket ?? [],
        'fault' => $fault,
    ]);
}

/**
 * SoapClient's objects as nested arrays.
 *
 * @return array<string, mixed>
 */
function core_raw_plain(mixed $value): array
{
    return json_decode(json_encode($value, JSON_THROW_ON_ERROR), true, 512, JSON_THROW_ON_ERROR);
}
