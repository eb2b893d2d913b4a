#!/usr/bin/env bash
# A backup of everything a case is made of: the database (pg_dump, custom format) and the
# attachments (an archive of MEDIA_ROOT), into DIR.
#   DATABASE_URL=postgres://... MEDIA_ROOT=/data/media scripts/backup.sh DIR
# The database is dumped first: a file uploaded while the archive is made is then only an
# extra file, where the other order would leave rows pointing at files never archived.
# The files are encrypted (jiufeng.filecrypt) and the keys (JIUFENG_IDENTITY_KEYS) are not in the
# backup: keep them apart; a restore opens only with them.
# Restore with scripts/restore.sh (README, "Backup and restore").
set -euo pipefail

out=${1:?usage: scripts/backup.sh DIR}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
media=${MEDIA_ROOT:-$(dirname "$0")/../var/media}

mkdir -p "$out"
pg_dump --format=custom --dbname="$DATABASE_URL" --file="$out/database.dump"
mkdir -p "$media"
tar -C "$media" -czf "$out/media.tar.gz" .
(cd "$out" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "backup.sh: $out/database.dump and $out/media.tar.gz"
