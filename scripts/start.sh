#!/usr/bin/env bash
# One command from a fresh clone to a running app: install, build, start the all-in-one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "› starting Pizza Express on http://localhost:${PORT:-3000}"
exec node apps/server/dist/main.js
