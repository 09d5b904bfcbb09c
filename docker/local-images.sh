#!/usr/bin/env bash
# Host setup for running the container stack under Podman, and the base images the Dockerfile and
# the compose files name, made from Debian packages when no registry answers.
#
#   bash docker/local-images.sh          # idempotent: does only what is missing
#
# 1. Installs the Debian packages Podman needs here (as root; otherwise names what is missing).
# 2. Uses docker/podman/containers.conf through CONTAINERS_CONF (callers export it; /etc is untouched).
# 3. For every base image below that is not in local storage: tries the registry once, and when
#    that fails builds a look-alike from a debootstrap'd Debian 12 (bookworm) and tags it with the
#    very name the files use, so the same Dockerfile and compose files serve both worlds.
#
# The look-alikes are what this machine can make, not the upstream images: Node is the host's own
# Node 20 (binary, npm, headers); Redis 7.0, NGINX 1.22 and Prometheus 2.42 are Debian's. The
# Node image (used only by the Dockerfile's build stage) trusts the host's CA certificates so
# that a build behind a TLS-inspecting proxy reaches the npm registry.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$PWD"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/podman/containers.conf}"
export BUILDAH_FORMAT=docker
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

say() { echo "› $*"; }

# ------------------------------------------------------------------ 1. host packages
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || [[ -x /usr/sbin/runc ]] || need+=(runc)
command -v catatonit >/dev/null 2>&1 || [[ -x /usr/libexec/podman/catatonit ]] || need+=(catatonit)
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || need+=(debootstrap)
[[ -x /usr/lib/cni/dnsname ]] || need+=(golang-github-containernetworking-plugin-dnsname)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing system packages: ${need[*]} — install them (sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Run as root: making images from Debian packages (debootstrap) and the stack's networks need it." >&2
  exit 1
fi

# ------------------------------------------------------------------ 2. base images
have() { podman image exists "$1"; }
pulled() { timeout 60 podman pull -q "$1" >/dev/null 2>&1; }

work="$(mktemp -d /var/tmp/pizza-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# debian:bookworm-slim — minbase plus CA certificates, without docs, locales or apt caches.
DEBIAN=docker.io/library/debian:bookworm-slim
if ! have "$DEBIAN" && ! pulled "$DEBIAN"; then
  say "making $DEBIAN with debootstrap from $MIRROR"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
    "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/info/* \
    "$work"/rootfs/var/log/* "$work"/rootfs/var/cache/debconf/*-old
  find "$work/rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$work/rootfs" -c . | podman import -q --change 'CMD ["bash"]' - "$DEBIAN" >/dev/null
  rm -rf "$work/rootfs"
fi

# Builds image $1 from the Containerfile on stdin with context $2, FROM the Debian base.
build() {
  local name="$1" context="$2"
  podman build -q --pull=never --network=host -t "$name" -f - "$context" >/dev/null
}

# node:20-bookworm-slim — the host's Node 20 laid out as in the official image, user node 1000.
NODE=docker.io/library/node:20-bookworm-slim
if ! have "$NODE" && ! pulled "$NODE"; then
  node_bin="$(command -v node)"
  [[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" == 20 ]] || { echo "Node 20 is needed on the host to make $NODE" >&2; exit 1; }
  prefix="$(dirname "$(dirname "$(readlink -f "$node_bin")")")"
  say "making $NODE from the host's Node $("$node_bin" -v) ($prefix)"
  mkdir -p "$work/node/bin" "$work/node/lib/node_modules" "$work/node/include" "$work/ca"
  cp "$(readlink -f "$node_bin")" "$work/node/bin/node"
  cp -r "$prefix/lib/node_modules/npm" "$work/node/lib/node_modules/npm"
  cp -r "$prefix/include/node" "$work/node/include/node"
  cp /usr/local/share/ca-certificates/*.crt "$work/ca/" 2>/dev/null || true
  build "$NODE" "$work" <<EOF
FROM $DEBIAN
COPY node /usr/local
COPY ca /usr/local/share/ca-certificates
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && update-ca-certificates >/dev/null \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
fi

apt_image() { # name, packages, then the rest of the Containerfile on stdin
  local name="$1" packages="$2" rest
  rest="$(cat)"
  have "$name" || pulled "$name" && return 0
  say "making $name from Debian packages: $packages"
  # package lists and downloads live in cache mounts shared by these builds, not in the images
  build "$name" "$work" <<EOF
FROM $DEBIAN
RUN --mount=type=cache,id=pizza-apt-lists,target=/var/lib/apt/lists \\
    --mount=type=cache,id=pizza-apt-archives,target=/var/cache/apt/archives \\
    apt-get update -qq -o Acquire::Languages=none \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null \\
 && rm -rf /usr/share/doc/* /usr/share/man/* /var/log/*
$rest
EOF
}

# redis:7-alpine — Debian's Redis 7.0, as user redis (999, as upstream) in /data (the compose file
# gives the command). Like the upstream image, protected mode is off: the network is the boundary.
mkdir -p "$work/redis"
printf '#!/bin/sh\nif [ "$1" = redis-server ]; then shift; exec redis-server --protected-mode no "$@"; fi\nexec "$@"\n' >"$work/redis/docker-entrypoint.sh"
chmod 755 "$work/redis/docker-entrypoint.sh"
apt_image docker.io/library/redis:7-alpine "redis-server" <<'EOF'
COPY redis/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN groupmod -g 999 redis && usermod -u 999 -g 999 redis && mkdir -p /data && chown -R redis:redis /data /var/lib/redis
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
EOF

# nginx:1.28-alpine — Debian's NGINX 1.22 with the official image's template step: every
# /etc/nginx/templates/*.template is rendered with envsubst into /etc/nginx/conf.d at start.
# Users nginx 101 as in the official image. No `resolve` on upstream servers in 1.22.
mkdir -p "$work/nginx"
cat >"$work/nginx/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
out="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
if [ -d /etc/nginx/templates ]; then
  vars="$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')"
  for t in /etc/nginx/templates/*.template; do
    [ -e "$t" ] || continue
    envsubst "$vars" <"$t" >"$out/$(basename "$t" .template)"
  done
fi
exec "$@"
EOF
chmod 755 "$work/nginx/docker-entrypoint.sh"
apt_image docker.io/library/nginx:1.28-alpine "nginx-light gettext-base wget" <<'EOF'
COPY nginx/docker-entrypoint.sh /docker-entrypoint.sh
RUN groupadd --system --gid 101 nginx && useradd --system --uid 101 --gid nginx --no-create-home nginx \
 && rm -f /etc/nginx/sites-enabled/default && mkdir -p /var/cache/nginx /etc/nginx/templates \
 && chown nginx:nginx /var/cache/nginx
ENTRYPOINT ["/docker-entrypoint.sh"]
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF

# nginxinc/nginx-unprivileged:1.28-alpine — the same NGINX, as user 101, temp files and pid in /tmp,
# serving /etc/nginx/conf.d/*.conf.
cat >"$work/nginx/unprivileged.conf" <<'EOF'
worker_processes auto;
error_log stderr warn;
pid /tmp/nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp_path;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
EOF
apt_image docker.io/nginxinc/nginx-unprivileged:1.28-alpine "nginx-light wget" <<'EOF'
COPY nginx/unprivileged.conf /etc/nginx/nginx.conf
RUN groupadd --system --gid 101 nginx && useradd --system --uid 101 --gid nginx --no-create-home nginx \
 && rm -f /etc/nginx/sites-enabled/default && mkdir -p /usr/share/nginx/html && chown -R nginx:nginx /etc/nginx/conf.d
USER 101
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF

# prom/prometheus:v3.5.0 — Debian's Prometheus 2.42, entrypoint and layout as in the official image.
apt_image docker.io/prom/prometheus:v3.5.0 "prometheus wget" <<'EOF'
RUN mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF

say "base images ready: $(podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^docker.io/' | tr '\n' ' ')"
