#!/usr/bin/env bash
# Debian packages and npm modules that some tests drive (proxies, browsers, tools), installed only when missing,
# so that `make test` on a fresh machine needs no manual step. Needs root for apt-get (as on the project's
# machines and in CI); elsewhere it names what is missing and the tests that need it say why they skip.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
missing=()
ensure_deb() { # ensure_deb PACKAGE [COMMAND]: install PACKAGE unless COMMAND (default: PACKAGE) is on PATH
  command -v "${2:-$1}" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then missing+=("$1"); return 0; fi
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  echo "installing Debian package $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$1" >/dev/null
}

ensure_npm_module() { # ensure_npm_module MODULE@VERSION FILE: npm install MODULE into the gitignored node_modules/ unless FILE is there
  [ -f "node_modules/$2" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then missing+=("npm ($1)"); return 0; fi
  echo "installing npm module $1"
  npm install --no-save --no-audit --no-fund --silent "$1" >/dev/null
}

# One line per package, e.g. `ensure_deb haproxy` or `ensure_deb nghttp2-client h2load`.
ensure_deb haproxy            # the production front door (tests/edge, tests/frontdoor, make bench)
ensure_deb nginx              # grpc_pass baseline in make bench
ensure_deb nghttp2-client h2load
ensure_deb openssl            # tests/edge makes a throwaway TLS certificate
ensure_deb curl     # examples/rest/walkthrough.sh (tests/journey/test_rest_journey.py)
ensure_deb jq       # the same walk-through reads JSON with jq
ensure_deb nodejs node
ensure_deb npm

# npm modules of a folder, from its lock file, when missing (the registry is npmjs.org).
ensure_npm() { # ensure_npm FOLDER MODULE: `npm ci` in FOLDER unless node_modules/MODULE is there
  [ -d "$1/node_modules/$2" ] && return 0
  command -v npm >/dev/null 2>&1 || { missing+=("npm modules of $1"); return 0; }
  echo "installing the npm modules of $1"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
}
ensure_npm examples/node @grpc/grpc-js   # tests/journey/test_node_client.py

# The fault drills (make test-faults) start and crash servers of their own: PostgreSQL (initdb, pg_ctl; not on
# PATH, under /usr/lib/postgresql/*/bin), NATS JetStream and Redis.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || ensure_deb postgresql initdb
ensure_deb nats-server
ensure_deb redis-server
# tests/scale: PgBouncer in transaction mode between the services and PostgreSQL (runs as the postgres user)
ensure_deb pgbouncer

# The citizen portal's browser tests (tests/portal): Debian's Chromium, driven by Playwright at /usr/bin/chromium.
ensure_deb chromium
# promtool checks the alerting rules and scrape configs and evaluates alerts (tests/observability).
ensure_deb prometheus promtool
# axe-core: the accessibility check injected into the portal's pages (tests/portal).
ensure_npm_module axe-core@4 axe-core/axe.min.js

if [ "${#missing[@]}" -gt 0 ]; then
  echo "not root: cannot install ${missing[*]}; the tests that need them will skip and say so" >&2
fi
exit 0
