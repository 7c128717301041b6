#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (Playwright drives it;
# a test tool's own browser download does not work on our machines).
set -euo pipefail
# The browser tests launch /usr/bin/chromium (the Debian package), not whatever is on PATH.
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "chromium est absent : installation depuis les paquets Debian…"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo -n"  # never wait for a password (CI has no stdin)
else
  echo "Installez le paquet 'chromium' (apt-get install chromium) puis relancez." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium && echo "chromium installé : /usr/bin/chromium"
