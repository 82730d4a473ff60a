#!/usr/bin/env bash
# Back up CORE's database to one file in pg_dump's custom format.
#
#   deploy/postgres/backup.sh [FILE]
#
# FILE defaults to $CORE_BACKUP_DIR (or the current directory) /
# <database>-<UTC time>.dump. Connect as the owner role with the usual libpq
# variables: PGHOST, PGPORT, PGUSER (the owner, e.g. core_owner), PGDATABASE
# (default: $CORE_DB_NAME or core), and a password from ~/.pgpass or
# PGPASSWORD. The script never prompts, so it runs from cron or a timer.
#
# The dump is one consistent snapshot taken while CORE keeps serving; it holds
# no lock that blocks reads or writes, but a migration (ALTER TABLE) waits for
# it, so do not run `core migrate` during a backup. The file is written under a
# temporary name, read back with pg_restore --list, then renamed: a file with
# the final name is always complete. Restore it with restore.sh.
set -euo pipefail

dbname="${PGDATABASE:-${CORE_DB_NAME:-core}}"
file="${1:-${CORE_BACKUP_DIR:-.}/${dbname}-$(date -u +%Y%m%dT%H%M%SZ).dump}"
partial="${file}.partial"
trap 'rm -f "$partial"' EXIT

umask 077
pg_dump --no-password --format=custom --compress=6 --dbname="$dbname" \
  --file="$partial"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"
echo "backed up ${dbname} to ${file} ($(wc -c <"$file") bytes)"
