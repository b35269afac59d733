#!/usr/bin/env bash
# Nattlys restore: decrypt a backup from deploy/backup.sh into an EMPTY database.
#
#   AGE_IDENTITY=/path/to/backup-identity.txt deploy/restore.sh BACKUP.age TARGET_DATABASE_URL
#
# TARGET_DATABASE_URL: postgresql://... of an empty database (createdb first),
# or sqlite:///path of a file that does not exist yet. The decrypted dump only
# ever passes through a pipe. Then run `nattlys db upgrade` against it.
set -euo pipefail
umask 077

[ $# -eq 2 ] || { echo "usage: AGE_IDENTITY=key.txt $0 BACKUP.age TARGET_DATABASE_URL" >&2; exit 2; }
backup=$1
target=$2
: "${AGE_IDENTITY:?AGE_IDENTITY must name the file with the age private key}"

case "$target" in
  sqlite:///*)
    path=${target#sqlite:///}
    [ ! -e "$path" ] || { echo "restore: $path exists; restore into a new file" >&2; exit 2; }
    age --decrypt -i "$AGE_IDENTITY" -o "$path" "$backup"
    chmod 0600 "$path"
    ;;
  postgres://* | postgresql://* | postgresql+*://*)
    url="postgresql://${target#*://}"
    tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
      -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
    [ "$tables" = "0" ] || { echo "restore: the target database is not empty ($tables tables)" >&2; exit 2; }
    age --decrypt -i "$AGE_IDENTITY" "$backup" | pg_restore --no-owner --exit-on-error --dbname="$url"
    ;;
  *)
    echo "restore: TARGET_DATABASE_URL must be postgresql:// or sqlite:///" >&2
    exit 2
    ;;
esac
echo "restored $backup"
