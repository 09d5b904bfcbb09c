#!/usr/bin/env bash
# One command from a fresh clone to every test: installs what the tests need (system packages
# when run as root), builds, then runs lint, typecheck, unit/integration and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v envsubst >/dev/null 2>&1 || need+=(gettext-base)
# network namespaces for the partition tests and pnpm chaos
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# one-sided partitions (from Redis, from clients) in pnpm chaos
command -v iptables >/dev/null 2>&1 || [[ -x /usr/sbin/iptables ]] || need+=(iptables)
# the container tests (pnpm stack under Podman; docker/local-images.sh makes the base images)
command -v podman >/dev/null 2>&1 || need+=(podman runc catatonit debootstrap golang-github-containernetworking-plugin-dnsname)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "› installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # the Debian packages start services we do not use: tests start their own on free ports
    for svc in nginx prometheus; do service "$svc" stop >/dev/null 2>&1 || true; done
  else
    echo "Missing system packages: ${need[*]} — install them (Debian/Ubuntu: sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
fi

bash scripts/setup.sh
echo "› lint and typecheck"
pnpm exec turbo run lint typecheck --output-logs=errors-only

log="$(mktemp)"
trap 'node scripts/summarize-tests.mjs "$log"' EXIT
echo "› unit and integration tests"
pnpm exec turbo run test --concurrency=1 2>&1 | tee -a "$log"
echo "› browser tests (Playwright, Chromium)"
pnpm --filter @pizza/e2e e2e 2>&1 | tee -a "$log"
echo "› chaos (fixed seed, every fault kind once; docs/reliability.md)"
pnpm chaos --ci 2>&1 | tee -a "$log"
