#!/bin/sh
# Runs once, when the postgres-data volume is first initialised (docker-entrypoint-initdb.d).
# One role and one database per service, taken from the same secret files the services read
# (/run/secrets/<service>_database_url = postgresql+asyncpg://<role>:<password>@postgres:5432/<database>),
# so a password lives in exactly one place. Each role owns only its database; PUBLIC may not connect.
set -eu

for service in identity registry payment notify documents dossiers; do
  file="${LIENTHONG_SECRETS_DIR:-/run/secrets}/${service}_database_url"
  if [ ! -r "$file" ]; then
    echo "init-databases: $file missing; run deploy/compose/make-secrets.sh" >&2
    exit 1
  fi
  url=$(tr -d '\r\n' < "$file")
  role=$(printf '%s' "$url" | sed -E 's#^[^:]+://([^:@/]+):([^@]*)@.*$#\1#')
  password=$(printf '%s' "$url" | sed -E 's#^[^:]+://([^:@/]+):([^@]*)@.*$#\2#')
  database=$(printf '%s' "$url" | sed -E 's#^.*/([^/?]+)(\?.*)?$#\1#')
  echo "init-databases: role and database for $service ($database)"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$role" -v password="$password" -v database="$database" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
done
