#!/usr/bin/env bash
# Installs everything the app needs on a machine with only Node 20 and npm: pnpm, the workspace
# dependencies (better-sqlite3 builds from source against the local Node headers), and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]]; then
  echo "› installing pnpm $PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

# .npmrc points node-gyp at /usr (Debian's nodejs headers). Elsewhere, use the running Node's prefix.
if [[ ! -f /usr/include/node/node.h ]]; then
  node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  if [[ -f "$node_prefix/include/node/node.h" ]]; then export npm_config_nodedir="$node_prefix"; fi
fi

echo "› installing dependencies"
pnpm install --frozen-lockfile
if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  echo "› building"
  pnpm exec turbo run build --output-logs=errors-only
fi
