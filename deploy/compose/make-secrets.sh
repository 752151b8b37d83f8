#!/bin/sh
# Create the secret files deploy/compose/compose.yaml mounts (random values; existing files are kept).
#
#   sh deploy/compose/make-secrets.sh [target-folder]      (default: deploy/compose/secrets)
#
# Files are 0644 inside a 0700 folder: the containers run as uid 10001 / postgres and must read the bind-mounted
# files, other users on the host cannot enter the folder. Never commit the result (secrets/.gitignore).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
target=${1:-"$here/secrets"}
mkdir -p "$target"
chmod 0700 "$target"

random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
key32() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }          # 32 bytes, standard base64
key32url() { key32 | tr '+/' '-_' | tr -d '='; }                    # 32 bytes, base64url without padding

write() {  # name value
  if [ -e "$target/$1" ]; then
    echo "kept    $target/$1"
    return
  fi
  (umask 022 && printf '%s\n' "$2" > "$target/$1")
  echo "created $target/$1"
}

write postgres_password "$(random)"
for service in identity registry payment notify documents dossiers; do
  write "${service}_database_url" \
    "postgresql+asyncpg://${service}:$(random)@postgres:5432/${service}"
done
write identity_key_encryption_key "$(key32url)"
write registry_encryption_keys "k$(date -u +%Y%m%d):$(key32)"
write registry_blind_index_key "$(key32)"
write payment_sandbox_secret "$(random)"
write payment_encryption_keys "k$(date -u +%Y%m%d):$(key32)"
write notify_encryption_keys "k$(date -u +%Y%m%d):$(key32)"
write notify_blind_index_key "$(key32)"
write proxy_secret "$(random)"
write portal_session_keys "k$(date -u +%Y%m%d):$(key32)"
write documents_attachment_keys "k$(date -u +%Y%m%d):$(key32)"
write dossiers_encryption_keys "k$(date -u +%Y%m%d):$(key32)"
write dossiers_blind_index_key "$(key32)"
