#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a fresh database and media directory.
#   DATABASE_URL=postgres://.../new MEDIA_ROOT=/data/media-new scripts/restore.sh DIR
# The database must exist and be empty (createdb), the media directory empty or absent:
# nothing is overwritten. Objects are owned by DATABASE_URL's user, whoever owned them before.
# Then: python manage.py verify_history (the history's hash chains), and point the app at both.
set -euo pipefail

in=${1:?usage: scripts/restore.sh DIR}
: "${DATABASE_URL:?DATABASE_URL must name the empty database to restore into}"
media=${MEDIA_ROOT:-$(dirname "$0")/../var/media}

(cd "$in" && sha256sum --check --quiet SHA256SUMS)
tables=$(psql --dbname="$DATABASE_URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "restore.sh: the database already has $tables tables; restore into a new one (createdb)" >&2
  exit 1
fi
if [ -n "$(ls -A "$media" 2>/dev/null)" ]; then
  echo "restore.sh: $media is not empty; restore into a new directory" >&2
  exit 1
fi

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$DATABASE_URL" "$in/database.dump"
mkdir -p "$media"
tar -C "$media" -xzf "$in/media.tar.gz"
echo "restore.sh: database and $media restored; now run: python manage.py verify_history"
