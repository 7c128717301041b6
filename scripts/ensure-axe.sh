#!/usr/bin/env bash
# Installs the test-only Node packages (axe-core, for the accessibility audit of the browser
# tests) from package-lock.json into node_modules/, when missing or older than the lock file.
# The product itself needs no Node. npm comes from Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json  # written by npm ci
if [ -f node_modules/axe-core/axe.min.js ] && [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm est absent : installation depuis les paquets Debian…"
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"  # never wait for a password (CI has no stdin)
  else
    echo "Installez le paquet 'npm' (apt-get install npm) puis relancez." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq npm >/dev/null
fi
# --ignore-scripts: nothing from the registry runs at install time.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
test -f node_modules/axe-core/axe.min.js && echo "axe-core installé : node_modules/axe-core/"
