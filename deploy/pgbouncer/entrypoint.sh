#!/bin/sh
# Writes the upstream and the one user's password, then runs PgBouncer in the foreground.
set -eu
umask 077
printf '"%s" "%s"\n' "$PGBOUNCER_USER" "$PGBOUNCER_PASSWORD" > /tmp/userlist.txt
printf '[databases]\n* = host=%s port=5432\n' "$PGBOUNCER_UPSTREAM_HOST" > /tmp/databases.ini
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
