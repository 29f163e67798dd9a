#!/usr/bin/env bash
# Installs Sasom into .venv, builds the demo organization on SQLite and serves it (SASOM_BIND, by
# default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
# PDFs (reports, statements) need Pango, Thai and Persian fonts; installed when missing and allowed (root)
need_apt=()
[ -d /usr/share/fonts/truetype/tlwg ] || need_apt+=(fonts-thai-tlwg)
[ -d /usr/share/fonts/truetype/farsiweb ] || need_apt+=(fonts-farsiweb)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "note: PDFs need these system packages (install them as root): ${need_apt[*]}" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
SASOM_DEMO_SERVES=1 .venv/bin/sasom demo "$@"
exec .venv/bin/sasom serve
