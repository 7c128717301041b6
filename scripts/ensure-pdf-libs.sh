#!/usr/bin/env bash
# Installs the system libraries WeasyPrint needs to render PDFs (Pango) and the DejaVu fonts the
# PDF templates use, from the Debian packages, when they are missing.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep libpangoft2-1.0.so.0 >/dev/null && [ -d /usr/share/fonts/truetype/dejavu ]; then
  exit 0
fi
echo "Bibliothèques PDF absentes (Pango, polices DejaVu) : installation depuis les paquets Debian…"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo -n"  # never wait for a password (CI has no stdin)
else
  echo "Installez les paquets 'libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core'" \
    "(apt-get install …) puis relancez." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
ldconfig -p | grep libpangoft2-1.0.so.0 >/dev/null && echo "Bibliothèques PDF installées."
