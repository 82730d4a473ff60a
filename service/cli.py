"""The ``core`` command: set up, upgrade, inspect and run CORE.

Every command takes the database URL from ``--db`` or ``CORE_DATABASE_URL``,
and defaults to the embedded SQLite file ``./core.db``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence

from api.db import Error, connect
from api.db.dialects import redact_url
from api.tables import SCHEMA

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///./core.db"


def database_url(args: argparse.Namespace) -> str:
    """The database URL chosen by option, environment or default."""
    return str(args.db or os.environ.get("CORE_DATABASE_URL") or DEFAULT_URL)


def cmd_init(args: argparse.Namespace) -> int:
    """Create the schema and the admin user in an empty database."""
    from api.setup import initialize

    db = connect(database_url(args))
    if SCHEMA.installed_version(db) is not None:
        print(
            f"{redact_url(database_url(args))} already has schema version "
            f"{SCHEMA.installed_version(db)}; nothing to do"
        )
        return 0
    generated = initialize(db, os.environ.get("CORE_ADMIN_PASSWORD"))
    print(
        f"created schema version {SCHEMA.version} in {redact_url(database_url(args))}"
    )
    if generated:
        print(f"admin password (shown once): {generated}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade the database's schema to this code's version."""
    applied = SCHEMA.migrate(connect(database_url(args)))
    print(f"schema is at version {SCHEMA.version}; applied: {applied or 'nothing'}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the SQL that creates the schema in the database's dialect."""
    db = connect(database_url(args))
    for statement in SCHEMA.statements(db.dialect):
        print(statement + ";\n")
    installed = SCHEMA.installed_version(db)
    print(
        f"-- database schema version: {installed},"
        f" code schema version: {SCHEMA.version}"
    )
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    """Add a user, or set a user's password, directly in the database."""
    from api.core import Core

    core = Core.open(database_url(args))
    admin = core.as_user(args.as_user)
    password = os.environ.get("CORE_USER_PASSWORD") or getpass.getpass("password: ")
    if args.user_command == "add":
        user = admin.users.create(
            username=args.username,
            display_name=args.display_name or args.username,
            email=args.email,
            role=args.role,
            password=password,
            account_number=args.account,
        )
        print(f"created {user.role} user {user.username}")
    else:
        current = admin.users.get(args.username)
        admin.users.update(args.username, {"password": password}, current.version)
        print(f"password of {args.username} changed")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the SOAP service under gunicorn, preparing an empty database first."""
    from service.app import Settings
    from service.server import ServeOptions, serve

    url = database_url(args)
    prepare(url, demo=args.demo)
    settings = Settings.from_environ()
    if args.public_url:
        settings.public_url = args.public_url
    options = ServeOptions(
        database_url=url,
        host=args.host,
        port=args.port,
        workers=args.workers,
        settings=settings,
        config=args.config,
    )
    serve(options)
    return 0


def prepare(url: str, *, demo: bool) -> None:
    """Create schema and admin in an empty database; load demo data if asked."""
    from api import demo as demo_data
    from api.setup import open_core
    from api.tables import Account

    core, generated = open_core(url, os.environ.get("CORE_ADMIN_PASSWORD"))
    if generated:
        print(f"created user admin with password (shown once): {generated}", flush=True)
    if demo and not Account.count(core.db):
        password = os.environ.get("CORE_DEMO_PASSWORD", "demo-password")
        result = demo_data.load(core, password)
        print(
            f"loaded demo data: {result.accounts} accounts, {result.servers} servers,"
            f" {result.tickets} tickets; users alice, bob (agents), rita (read-only)"
            f" and carl (customer) have the password {password!r}",
            flush=True,
        )
    core.close()


def cmd_wsdl(args: argparse.Namespace) -> int:
    """Write the WSDL contract that the service serves to a file."""
    from service.app import write_contract

    write_contract(args.output)
    print(f"wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``core`` command line."""
    parser = argparse.ArgumentParser(prog="core", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help=f"database URL (default: {DEFAULT_URL})")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("init", help=cmd_init.__doc__).set_defaults(run=cmd_init)
    commands.add_parser("migrate", help=cmd_migrate.__doc__).set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("schema", help=cmd_schema.__doc__).set_defaults(run=cmd_schema)

    serve = commands.add_parser("serve", help=cmd_serve.__doc__)
    serve.set_defaults(run=cmd_serve)
    serve.add_argument("--host", default=os.environ.get("CORE_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("CORE_PORT", "8000"))
    )
    serve.add_argument(
        "--workers", type=int, default=int(os.environ.get("CORE_WORKERS", "2"))
    )
    serve.add_argument("--public-url", help="the address of /soap behind a proxy")
    serve.add_argument(
        "--config",
        default=os.environ.get("CORE_GUNICORN_CONFIG") or None,
        help="a gunicorn configuration file, e.g. deploy/gunicorn.conf.py",
    )
    serve.add_argument("--demo", action="store_true", help="load demo data if empty")

    wsdl = commands.add_parser("wsdl", help=cmd_wsdl.__doc__)
    wsdl.set_defaults(run=cmd_wsdl)
    wsdl.add_argument("--output", default="wsdl/core.wsdl")

    user = commands.add_parser("user", help=cmd_user.__doc__)
    user.set_defaults(run=cmd_user)
    user.add_argument("--as-user", default="admin", help="the administrator acting")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a user (password from prompt)")
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, choices=["admin", "agent", "readonly", "customer"]
    )
    add.add_argument("--email", required=True)
    add.add_argument("--display-name")
    add.add_argument("--account", help="the account number of a customer user")
    passwd = user_commands.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``core`` command line; return the process exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args))
    except Error as error:
        print(f"core: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
