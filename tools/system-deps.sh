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

ensure_npm() { # ensure_npm MODULE@VERSION FILE: npm install MODULE into the gitignored node_modules/ unless FILE is there
  [ -f "node_modules/$2" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then missing+=("npm ($1)"); return 0; fi
  echo "installing npm module $1"
  npm install --no-save --no-audit --no-fund --silent "$1" >/dev/null
}

# One line per package, e.g. `ensure_deb haproxy` or `ensure_deb nghttp2-client h2load`.
# The citizen portal's browser tests (tests/portal): Debian's Chromium, driven by Playwright at /usr/bin/chromium.
ensure_deb chromium
# promtool checks the alerting rules and scrape configs and evaluates alerts (tests/observability).
ensure_deb prometheus promtool
# axe-core: the accessibility check injected into the portal's pages (tests/portal).
ensure_npm axe-core@4 axe-core/axe.min.js

if [ "${#missing[@]}" -gt 0 ]; then
  echo "not root: cannot install ${missing[*]}; the tests that need them will skip and say so" >&2
fi
exit 0
