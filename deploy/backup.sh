#!/usr/bin/env bash
# Nattlys backup: a database dump encrypted with age to a public key, so the
# file is unreadable on this machine and wherever it is copied. The private
# key is kept offline and brought only for a restore (deploy/restore.sh).
#
# Settings (environment, e.g. from /etc/nattlys/nattlys.env):
#   DATABASE_URL              postgresql://... (pg_dump -Fc) or sqlite:///path (sqlite3 .backup)
#   BACKUP_AGE_RECIPIENTS     file with one or more age public keys (age1...), required
#   BACKUP_DIR                where the encrypted file goes (default /var/backups/nattlys)
#   BACKUP_COPY_TO            rsync destination off this machine (user@host:/path/), optional
#   BACKUP_KEEP_DAYS          local encrypted copies older than this are removed (default 14)
# Prints the path of the file it wrote.
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${BACKUP_AGE_RECIPIENTS:?BACKUP_AGE_RECIPIENTS must name a file with the age public key(s)}"
[ -r "$BACKUP_AGE_RECIPIENTS" ] || { echo "backup: cannot read $BACKUP_AGE_RECIPIENTS" >&2; exit 2; }
dir=${BACKUP_DIR:-/var/backups/nattlys}
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

case "$DATABASE_URL" in
  sqlite:///*)
    db_path=${DATABASE_URL#sqlite:///}
    out="$dir/nattlys-$stamp.sqlite.age"
    plain=$(mktemp -d)
    trap 'rm -rf "$plain"' EXIT
    # The online backup API: a consistent copy while the service writes.
    sqlite3 "$db_path" ".backup '$plain/nattlys.db'"
    age --encrypt -R "$BACKUP_AGE_RECIPIENTS" -o "$out.partial" "$plain/nattlys.db"
    ;;
  postgres://* | postgresql://* | postgresql+*://*)
    url="postgresql://${DATABASE_URL#*://}"
    out="$dir/nattlys-$stamp.dump.age"
    # Never a plain copy on disk: pg_dump streams straight into age.
    pg_dump --format=custom --no-owner --dbname="$url" | age --encrypt -R "$BACKUP_AGE_RECIPIENTS" -o "$out.partial"
    ;;
  *)
    echo "backup: DATABASE_URL must be postgresql:// or sqlite:///" >&2
    exit 2
    ;;
esac
mv "$out.partial" "$out"

if [ -n "${BACKUP_COPY_TO:-}" ]; then
  rsync --quiet --times "$out" "$BACKUP_COPY_TO"
fi
find "$dir" -name 'nattlys-*.age' -mtime +"${BACKUP_KEEP_DAYS:-14}" -delete
echo "$out"
