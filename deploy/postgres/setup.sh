#!/usr/bin/env bash
# Create CORE's PostgreSQL database and its two roles; safe to run again.
#
#   owner   owns the database and its schema, creates the tables: `core init`
#           and `core migrate` connect as it, and backups are taken as it.
#   service the CORE nodes connect as it: it may only read and write rows
#           (SELECT, INSERT, UPDATE, DELETE on the tables, USAGE and SELECT on
#           the sequences), never change the schema. Default privileges give
#           it the same rights on every table the owner creates later, so a
#           migration needs no extra GRANT.
#
# Run it as a PostgreSQL superuser, chosen with the usual libpq variables
# (PGHOST, PGPORT, PGUSER, PGPASSWORD...), e.g. on the primary:
#
#   sudo -u postgres \
#     CORE_DB_OWNER_PASSWORD=... CORE_DB_SERVICE_PASSWORD=... \
#     deploy/postgres/setup.sh
#
# Settings (environment):
#   CORE_DB_NAME              database name                 (default: core)
#   CORE_DB_OWNER             owner role                    (default: core_owner)
#   CORE_DB_OWNER_PASSWORD    its password; empty: none set (certificate or peer
#                             authentication instead)
#   CORE_DB_SERVICE           service role                  (default: core_service)
#   CORE_DB_SERVICE_PASSWORD  its password; empty: none set
#   CORE_DB_STATEMENT_TIMEOUT longest statement of the service role (default:
#                             25s, shorter than gunicorn's 30 s worker timeout)
#   CORE_DB_SERVICE_CONNECTIONS  connection limit of the service role
#                             (default: -1, none; see OPERATIONS.md for sizing)
#
# Passwords are handed to psql through the environment, never on a command
# line that `ps` shows.
set -euo pipefail

export CORE_DB_NAME="${CORE_DB_NAME:-core}"
export CORE_DB_OWNER="${CORE_DB_OWNER:-core_owner}"
export CORE_DB_OWNER_PASSWORD="${CORE_DB_OWNER_PASSWORD:-}"
export CORE_DB_SERVICE="${CORE_DB_SERVICE:-core_service}"
export CORE_DB_SERVICE_PASSWORD="${CORE_DB_SERVICE_PASSWORD:-}"
export CORE_DB_STATEMENT_TIMEOUT="${CORE_DB_STATEMENT_TIMEOUT:-25s}"
export CORE_DB_SERVICE_CONNECTIONS="${CORE_DB_SERVICE_CONNECTIONS:--1}"

if ! [[ $CORE_DB_SERVICE_CONNECTIONS =~ ^(-1|[0-9]+)$ ]]; then
  echo "setup.sh: CORE_DB_SERVICE_CONNECTIONS must be a number or -1" >&2
  exit 2
fi

psql_as_superuser() {
  psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 "$@"
}

# The roles and the database, from the maintenance database.
psql_as_superuser --dbname "${PGDATABASE:-postgres}" <<'SQL'
\set dbname `printenv CORE_DB_NAME`
\set owner `printenv CORE_DB_OWNER`
\set owner_password `printenv CORE_DB_OWNER_PASSWORD`
\set service `printenv CORE_DB_SERVICE`
\set service_password `printenv CORE_DB_SERVICE_PASSWORD`
\set statement_timeout `printenv CORE_DB_STATEMENT_TIMEOUT`
\set service_connections `printenv CORE_DB_SERVICE_CONNECTIONS`

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') AS create_owner,
       NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'service') AS create_service,
       NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname') AS create_db,
       :'owner_password' <> '' AS owner_has_password,
       :'service_password' <> '' AS service_has_password
\gset

\if :create_owner
  CREATE ROLE :"owner" LOGIN;
\endif
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
\if :owner_has_password
  ALTER ROLE :"owner" PASSWORD :'owner_password';
\endif

\if :create_service
  CREATE ROLE :"service" LOGIN;
\endif
ALTER ROLE :"service" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  CONNECTION LIMIT :service_connections;
\if :service_has_password
  ALTER ROLE :"service" PASSWORD :'service_password';
\endif
-- A stuck query fails cleanly (Server.Unavailable) before gunicorn kills the
-- worker; an abandoned transaction does not hold its locks for long.
ALTER ROLE :"service" SET statement_timeout = :'statement_timeout';
ALTER ROLE :"service" SET idle_in_transaction_session_timeout = '60s';

\if :create_db
  CREATE DATABASE :"dbname" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
\endif
ALTER DATABASE :"dbname" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"dbname" TO :"service";
SQL

# The schema's privileges, inside the new database.
psql_as_superuser --dbname "$CORE_DB_NAME" <<'SQL'
\set owner `printenv CORE_DB_OWNER`
\set service `printenv CORE_DB_SERVICE`

-- CORE's tables live in the public schema, which the owner owns; nobody else
-- may create anything in it.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"service";

-- Tables and sequences that exist already (when run again after `core init`),
-- as the owner so that the grants are the owner's own.
SET ROLE :"owner";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"service";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"service";

-- Everything the owner creates from now on: `core init`, every migration.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"service";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"service";
RESET ROLE;
SQL

echo "database ${CORE_DB_NAME}: owner ${CORE_DB_OWNER}, service role ${CORE_DB_SERVICE}"
