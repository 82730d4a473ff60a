"""The walkthrough "adding a table and exposing it", followed step by step.

Every step runs the code that ``docs/walkthrough.rst`` shows (it includes
``docs/walkthrough/example.py`` and the PHP files beside it), on a fresh SQLite
database and on PostgreSQL, so the page cannot go stale.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from lxml import etree
from spyne.server.wsgi import WsgiApplication

from api.core import Core
from api.db import Database, Schema, connect
from api.errors import Forbidden, NotFound
from api.setup import create_user, initialize
from api.tables import SCHEMA, Account
from service.app import PLACEHOLDER, Router, Settings, stable_order, wsdl_document
from service.docs import read_catalogue, render_catalogue, request_envelope

from .support import ROOT, serving

WALKTHROUGH = ROOT / "docs" / "walkthrough"
PASSWORD = "walkthrough password 1"
TNS = "urn:core:v1"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    """``docs/walkthrough/example.py``, imported as the walkthrough shows it."""
    spec = importlib.util.spec_from_file_location(
        "walkthrough_example", WALKTHROUGH / "example.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = connect(db_url)
    yield database
    database.close()


@pytest.fixture
def core(db: Database, example: ModuleType) -> Core:
    """CORE at today's schema with staff and a customer, upgraded with notes."""
    initialize(db, PASSWORD)
    create_user(db, "alice", "Alice Agent", "alice@example.com", "agent", PASSWORD)
    create_user(db, "rita", "Rita Reader", "rita@example.com", "readonly", PASSWORD)
    applied = example.schema_with_notes().migrate(db)
    assert applied == [SCHEMA.version + 1]
    return Core(db)


@pytest.fixture
def account(core: Core) -> str:
    number = core.as_user("alice").accounts.create(name="Example Ltd").number
    row = Account.first(core.db, number=number)
    assert row is not None
    create_user(
        core.db,
        "carl",
        "Carl Customer",
        "carl@example.com",
        "customer",
        PASSWORD,
        row.id,
    )
    return str(number)


# -- step 1 and 2: the table and its migration ----------------------------------------


def test_a_fresh_database_gets_the_table(db: Database, example: ModuleType) -> None:
    schema: Schema = example.schema_with_notes()
    schema.create(db)
    assert schema.installed_version(db) == SCHEMA.version + 1
    assert example.AccountNote.count(db) == 0


def test_an_existing_database_gets_it_by_migration(
    core: Core, example: ModuleType
) -> None:
    assert example.schema_with_notes().installed_version(core.db) == (
        SCHEMA.version + 1
    )
    assert example.AccountNote.count(core.db) == 0
    with pytest.raises(Exception, match="newer than this code"):
        SCHEMA.check(core.db)


# -- step 3: the business rules -------------------------------------------------------


def test_an_agent_adds_and_lists_notes_with_history(
    core: Core, account: str, example: ModuleType
) -> None:
    notes = example.Notes(core.as_user("alice"))
    added = notes.add(account, "Called about the renewal.")
    assert added.author == "alice" and added.account_number == account
    assert added.created_at.tzinfo is not None
    notes.add(account, "Promised a quote by Friday.")
    listed = example.Notes(core.as_user("rita")).list(account)
    assert [note.body for note in listed] == [
        "Called about the renewal.",
        "Promised a quote by Friday.",
    ]
    history = core.as_user("alice").history.list("account", account)
    assert [entry.action for entry in history][-2:] == ["noted", "noted"]


def test_permissions_are_checked(core: Core, account: str, example: ModuleType) -> None:
    with pytest.raises(Forbidden):
        example.Notes(core.as_user("rita")).add(account, "Read-only users may not.")
    with pytest.raises(Forbidden):
        example.Notes(core.as_user("carl")).list(account)
    with pytest.raises(NotFound):
        example.Notes(core.as_user("alice")).add("A-999999", "No such account.")


def test_a_refused_note_leaves_nothing_behind(
    core: Core, account: str, example: ModuleType
) -> None:
    with pytest.raises(Exception, match="body"):
        example.Notes(core.as_user("alice")).add(account, "x" * 2001)
    assert example.AccountNote.count(core.db) == 0


# -- step 4 and 5: the SOAP operation -------------------------------------------------


def soap_call(
    app: Any, operation: str, arguments: str, user: str = "alice"
) -> etree._Element:
    """Call ``operation`` in-process through Spyne's WSGI application."""
    body = (
        f'<soap:Envelope xmlns:soap="{SOAP}" xmlns:tns="{TNS}"><soap:Body>'
        f"<tns:{operation}>{arguments}</tns:{operation}></soap:Body></soap:Envelope>"
    ).encode()
    token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/soap",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Basic {token}",
    }
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    answer = b"".join(app(environ, lambda status, headers, *exc: None))
    return etree.fromstring(answer).find(f"{{{SOAP}}}Body")[0]


def test_the_operations_answer_over_soap(
    core: Core, account: str, example: ModuleType
) -> None:
    app = WsgiApplication(example.build_application_with_notes(core))
    text = f"<tns:accountNumber>{account}</tns:accountNumber>"
    added = soap_call(app, "addNote", text + "<tns:body>Called.</tns:body>")
    assert added.findtext(f".//{{{TNS}}}author") == "alice"
    assert added.findtext(f".//{{{TNS}}}createdAt").endswith(("Z", "+00:00"))
    listed = soap_call(app, "listNotes", text, user="rita")
    assert len(listed.findall(f"{{{TNS}}}listNotesResult")) == 1

    refused = soap_call(app, "addNote", text + "<tns:body>No.</tns:body>", "rita")
    assert refused.findtext("faultcode").endswith("Client.Forbidden")
    too_long = soap_call(app, "addNote", text + f"<tns:body>{'x' * 2001}</tns:body>")
    assert too_long.findtext("faultcode").endswith("SchemaValidationError")


def test_the_contract_and_docs_pick_the_operations_up(
    core: Core, account: str, example: ModuleType
) -> None:
    application = example.build_application_with_notes(core)
    contract = wsdl_document(application).decode()
    assert '<wsdl:operation name="addNote"' in contract
    assert "Add a note to an account (agents and administrators)." in contract

    pages = render_catalogue(application)
    assert "/docs/operations/addNote" in pages and "/docs/types/Note" in pages
    sample = request_envelope(read_catalogue(application).operations["addNote"], TNS)
    wrapper = etree.fromstring(sample).find(f"{{{SOAP}}}Body")[0]
    arguments = "".join(etree.tostring(child).decode() for child in wrapper)
    answer = soap_call(WsgiApplication(application), "addNote", arguments)
    assert answer.findtext("faultcode").endswith("Client.NotFound")


# -- step 6: the PHP method -----------------------------------------------------------


def php_client_with_notes(folder: Path) -> Path:
    """A copy of the PHP client with the walkthrough's methods and record class."""
    source = ROOT / "clients" / "php"
    if not shutil.which("php") or not (source / "autoload.php").exists():
        pytest.skip("needs php and the PHP client in clients/php")
    client = folder / "php"
    shutil.copytree(source, client, ignore=shutil.ignore_patterns("tests", "vendor"))
    shutil.copy(WALKTHROUGH / "Note.php", client / "src" / "Model" / "Note.php")
    shutil.copy(WALKTHROUGH / "NoteMethods.php", client / "src" / "NoteMethods.php")

    main = client / "src" / "CoreClient.php"
    code, found = re.subn(
        r"(\bclass CoreClient\b[^{]*\{\n)",
        r"\1    use NoteMethods;\n",
        main.read_text(),
    )
    assert found == 1, "CoreClient's class declaration was not found"
    main.write_text(code)
    return client


def router_for(core: Core, application: Any) -> Router:
    """Serve ``application`` the way ``service.app.create_app`` serves CORE's."""
    soap = WsgiApplication(application)
    soap.doc.wsdl11.build_interface_document(PLACEHOLDER)
    wsdl = stable_order(soap.doc.wsdl11.get_interface_document())
    return Router(core, Settings(), soap, wsdl)


PHP_SCRIPT = """<?php
require $argv[1] . '/autoload.php';
$core = new Core\\Client\\CoreClient($argv[2], 'alice', $argv[3], cacheDir: $argv[4]);
$note = $core->addNote($argv[5], 'Called about the renewal.');
$notes = $core->listNotes($argv[5]);
echo json_encode([
    'author' => $note->author,
    'created' => $note->createdAt->format(DATE_ATOM),
    'bodies' => array_map(static fn ($n) => $n->body, $notes),
]);
"""


def test_the_php_method_calls_the_operation(
    core: Core, account: str, example: ModuleType, tmp_path: Path
) -> None:
    client = php_client_with_notes(tmp_path)
    script = tmp_path / "notes.php"
    script.write_text(PHP_SCRIPT)
    router = router_for(core, example.build_application_with_notes(core))
    with serving(router) as url:
        done = subprocess.run(
            [
                "php",
                str(script),
                str(client),
                f"{url}/soap?wsdl",
                PASSWORD,
                str(tmp_path / "wsdl-cache"),
                account,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["author"] == "alice"
    assert result["bodies"] == ["Called about the renewal."]
