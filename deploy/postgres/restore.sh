#!/usr/bin/env bash
# Restore a backup made by backup.sh into a CORE database.
#
#   deploy/postgres/restore.sh FILE
#
# The target is PGDATABASE (default: $CORE_DB_NAME or core), created
# beforehand by setup.sh, so that the owner and service roles exist: the
# backup's GRANTs name the service role. Connect as the owner with the usual
# libpq variables (PGHOST, PGPORT, PGUSER, ~/.pgpass or PGPASSWORD); a
# superuser works too, and the restored objects are still the owner's
# (CORE_DB_OWNER, default: the connecting user).
#
# A database that already has tables is refused, unless CORE_RESTORE_CLEAN=1:
# then its objects are dropped and replaced. Either way the restore is one
# transaction, so a failure leaves the database as it was. Stop or drain every
# CORE node before restoring over a live database. Afterwards the planner's
# statistics are rebuilt (ANALYZE), and the schema version is printed: when it
# is older than the code's, run `core migrate`.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
file=$1
dbname="${PGDATABASE:-${CORE_DB_NAME:-core}}"
owner="${CORE_DB_OWNER:-${PGUSER:-$(id -un)}}"

query() {
  psql --no-password --no-psqlrc --quiet --tuples-only --no-align \
    --set ON_ERROR_STOP=1 --dbname="$dbname" --command="$1"
}

pg_restore --list "$file" >/dev/null

tables=$(query "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
clean=()
if [ "$tables" != 0 ]; then
  if [ "${CORE_RESTORE_CLEAN:-0}" != 1 ]; then
    echo "restore.sh: database ${dbname} already has ${tables} tables;" \
      "set CORE_RESTORE_CLEAN=1 to replace them" >&2
    exit 3
  fi
  clean=(--clean --if-exists)
fi

pg_restore --no-password --dbname="$dbname" --no-owner --role="$owner" \
  --exit-on-error --single-transaction "${clean[@]}" "$file"
query "ANALYZE" >/dev/null
version=$(query "SELECT max(version) FROM core_schema_version")
echo "restored ${file} into ${dbname}; schema version ${version}"
