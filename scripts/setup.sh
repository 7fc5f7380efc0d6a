#!/usr/bin/env bash
# Prepare a fresh Debian 12 / Ubuntu machine for nslab, as root: everything the test suite and every shipped lab
# need. Idempotent: a second run installs nothing and takes seconds. Quiet: one line per step; a failing step
# prints the tail of its log.
#
#   bash scripts/setup.sh                  # everything: Debian tools, Node, npm ci, build, lab on PATH, Docker
#                                          # (dockerd running), the lab images (offline from this machine's Debian
#                                          # mirror; ~45 s once, then under a second), Chromium (handout test)
#   bash scripts/setup.sh --minimal        # only the tools, Node, npm ci, build and lab on PATH: enough for labs
#                                          # made of network namespaces (no containers, images or handout test)
#   bash scripts/setup.sh --with-mininet   # … and Debian's mininet with bridge-utils (for `npm run bench`)
#
# It never touches the host namespace's network configuration (no sysctl, addresses, routes or rules); dockerd
# is started with its bridge, iptables and ip_forward handling off for the same reason.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Node with type stripping on by default (the tests and scripts run .ts directly); keep in step with MIN_NODE
# in runner/exec/probe-types.ts.
MIN_NODE=22.18.0
NODE_PREFIX=/opt/nslab/node
DOCKER_LOG=/var/log/nslab-dockerd.log
DOCKER_PIDFILE=/run/nslab-dockerd.pid
PACKAGES=(iproute2 iputils-ping iperf3 iptables nftables tcpdump netcat-openbsd curl procps util-linux socat dnsmasq-base haproxy ca-certificates bird2 graphviz dnsutils conntrack jq zsh openssl containernetworking-plugins)

# everything by default; --minimal turns the heavy parts off, and the old --with-* options still work
WITH_DOCKER=1
WITH_MININET=0
WITH_IMAGES=1
WITH_CHROMIUM=1
for arg in "$@"; do
  case "$arg" in
    --minimal) WITH_DOCKER=0 WITH_IMAGES=0 WITH_CHROMIUM=0 ;;
    --with-docker) WITH_DOCKER=1 ;;
    # the images live in Docker: --with-images brings Docker as --with-docker does
    --with-images) WITH_DOCKER=1 WITH_IMAGES=1 ;;
    --with-mininet) WITH_MININET=1 ;;
    --with-chromium) WITH_CHROMIUM=1 ;;
    -h | --help)
      sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown option $arg (known: --minimal, --with-mininet; --with-docker, --with-images, --with-chromium are the default)" >&2
      exit 64
      ;;
  esac
done

# /usr/local/bin first: that is where Node 24 is linked when the system's Node is too old
export PATH="/usr/local/bin:/usr/local/sbin:/usr/sbin:/sbin:${PATH:-/usr/bin:/bin}"
export DEBIAN_FRONTEND=noninteractive

LOG="$(mktemp /tmp/nslab-setup.XXXXXX)"
trap 'rm -f "$LOG"' EXIT
T0=$SECONDS

say() { echo "setup: $*"; }

# Run a command with its output in the log; on failure show what it said and stop.
run() {
  echo "+ $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1 </dev/null; then
    echo "setup: FAILED: $*" >&2
    tail -n 40 "$LOG" | sed 's/^/  | /' >&2
    exit 1
  fi
}

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: run me as root (sudo bash scripts/setup.sh): I install Debian packages and link /usr/local/bin/lab" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  echo "setup: this script is for Debian 12 / Ubuntu (apt-get, dpkg-query); install by hand: ${PACKAGES[*]}, Node >= $MIN_NODE" >&2
  exit 1
fi

# ── Debian packages ──────────────────────────────────────────────────────────────────────────────────
APT_UPDATED=0
missing_pkgs() {
  local p
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] || echo "$p"
  done
}
apt_install() {
  local missing
  missing="$(missing_pkgs "$@" | tr '\n' ' ')"
  missing="${missing% }"
  [[ -n "$missing" ]] || return 0
  if [[ $APT_UPDATED -eq 0 ]]; then
    say "apt-get update"
    run apt-get update
    APT_UPDATED=1
  fi
  say "apt-get install $missing"
  run apt-get install -y --no-install-recommends $missing
}

MISSING="$(missing_pkgs "${PACKAGES[@]}" | tr '\n' ' ')"
if [[ -z "${MISSING// /}" ]]; then
  say "Debian packages: all ${#PACKAGES[@]} present"
else
  apt_install "${PACKAGES[@]}"
fi

# nginx (the ingress controller of cluster labs, run by nslab inside a pod's namespace): installed without letting
# its package start the host's nginx service (policy-rc.d says no), which is then disabled for good
if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' nginx 2>/dev/null)" != ii* ]]; then
  POLICY_MADE=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && POLICY_MADE=1
  fi
  apt_install nginx
  [[ $POLICY_MADE -eq 0 ]] || rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then run systemctl disable --now nginx; fi
fi

# ── Node ─────────────────────────────────────────────────────────────────────────────────────────────
node_ok() {
  local v
  v="$(node --version 2>/dev/null)" || return 1
  v="${v#v}"
  [[ "$(printf '%s\n%s\n' "$MIN_NODE" "$v" | sort -V | head -n1)" == "$MIN_NODE" ]]
}
if node_ok; then
  say "Node $(node --version) at $(command -v node)"
else
  say "Node $(node --version 2>/dev/null || echo 'missing') is older than $MIN_NODE: installing Node 24 from the npm registry into $NODE_PREFIX"
  command -v npm >/dev/null || apt_install npm
  mkdir -p "$NODE_PREFIX"
  run npm install --prefix "$NODE_PREFIX" --no-audit --no-fund node@24
  ln -sf "$NODE_PREFIX/node_modules/node/bin/node" /usr/local/bin/node
  hash -r
  if ! node_ok; then
    echo "setup: FAILED: node --version is $(node --version 2>/dev/null || echo 'missing') after installing node@24 (want >= $MIN_NODE)" >&2
    exit 1
  fi
  say "Node $(node --version) at $(command -v node)"
fi
command -v npm >/dev/null || apt_install npm

# ── the repo: dependencies, build, lab on PATH ───────────────────────────────────────────────────────
cd "$REPO"
STAMP=node_modules/.nslab-setup-stamp
DEPS_KEY="$( (node --version; cat package.json; cat package-lock.json 2>/dev/null || true) | sha256sum | cut -d' ' -f1)"
if [[ -d node_modules && -f "$STAMP" && "$(cat "$STAMP")" == "$DEPS_KEY" ]]; then
  say "npm dependencies: up to date"
elif [[ -d node_modules ]] && npm ls --all >/dev/null 2>&1; then
  # already installed and consistent with package.json (e.g. by hand): no need to wipe it with npm ci
  say "npm dependencies: already installed"
  echo "$DEPS_KEY" >"$STAMP"
elif [[ -f package-lock.json ]]; then
  say "npm ci"
  run npm ci --no-audit --no-fund
  echo "$DEPS_KEY" >"$STAMP"
else
  say "npm install (no package-lock.json)"
  run npm install --no-audit --no-fund
  echo "$DEPS_KEY" >"$STAMP"
fi

BUILD_STAMP=dist/.nslab-build-stamp
SRC_DIRS=()
for d in runner assertions test bench scripts schema; do [[ -d $d ]] && SRC_DIRS+=("$d"); done
if [[ -f "$BUILD_STAMP" && -f dist/runner/cli/main.js ]] &&
  [[ -z "$(find "${SRC_DIRS[@]}" package.json tsconfig.json "$STAMP" \( -name '*.ts' -o -name '*.json' -o -name .nslab-setup-stamp \) -newer "$BUILD_STAMP" -print -quit 2>/dev/null)" ]]; then
  say "build: up to date"
else
  say "npm run build"
  run npm run build
  touch "$BUILD_STAMP"
fi

MAIN="$REPO/dist/runner/cli/main.js"
[[ -x "$MAIN" ]] || chmod +x "$MAIN"
if [[ "$(readlink /usr/local/bin/lab 2>/dev/null)" == "$MAIN" ]]; then
  say "lab: /usr/local/bin/lab -> $MAIN"
else
  ln -sf "$MAIN" /usr/local/bin/lab
  say "lab: linked /usr/local/bin/lab -> $MAIN"
fi
if ! lab version >>"$LOG" 2>&1; then
  echo "setup: FAILED: \`lab version\` does not run" >&2
  tail -n 20 "$LOG" | sed 's/^/  | /' >&2
  exit 1
fi

# ── Docker (not with --minimal) ─────────────────────────────────────────────────────────────────────────────────
docker_answers() {
  curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
}
if [[ $WITH_DOCKER -eq 1 ]]; then
  command -v dockerd >/dev/null || apt_install docker.io
  if docker_answers; then
    say "Docker: the daemon answers on /var/run/docker.sock"
  else
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
      say "Docker: systemctl start docker"
      run systemctl start docker
    else
      # no systemd: start dockerd by hand, detached, and keep its pid (never `wait` on it)
      say "Docker: starting dockerd (log $DOCKER_LOG)"
      setsid dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        >>"$DOCKER_LOG" 2>&1 </dev/null &
      echo $! >"$DOCKER_PIDFILE"
      disown || true
    fi
    for _ in $(seq 1 60); do
      docker_answers && break
      sleep 0.5
    done
    if ! docker_answers; then
      echo "setup: FAILED: the Docker daemon did not answer on /var/run/docker.sock within 30 s; its log:" >&2
      tail -n 20 "$DOCKER_LOG" 2>/dev/null | sed 's/^/  | /' >&2
      exit 1
    fi
    say "Docker: the daemon answers on /var/run/docker.sock"
  fi
fi

# ── the lab images (nslab/host, nslab/bird), built offline from Debian packages ──────────────────
if [[ $WITH_IMAGES -eq 1 ]]; then
  apt_install debootstrap debian-archive-keyring
  # reuses up-to-date images in well under a second; a first build runs debootstrap (about 40 s)
  say "lab images build"
  echo "+ lab images build" >>"$LOG"
  if ! CI=true lab images build >>"$LOG" 2>&1 </dev/null; then
    echo "setup: FAILED: lab images build" >&2
    tail -n 40 "$LOG" | sed 's/^/  | /' >&2
    exit 1
  fi
  sed -n '/^+ lab images build$/,$p' "$LOG" | sed '1d; s/^/setup: images: /'
fi

# ── optional: Mininet (benchmark only; no controller is started). Its `mn` needs brctl (bridge-utils), which
# Debian's mininet package does not pull in. ──────────────────────────────────────────────────────────────
if [[ $WITH_MININET -eq 1 ]]; then
  if [[ -z "$(missing_pkgs mininet bridge-utils)" ]]; then
    say "Mininet: installed (with bridge-utils)"
  else
    apt_install mininet bridge-utils
  fi
fi

# ── Chromium (the handout test opens every handout in headless Chromium, offline) ──────────────
if [[ $WITH_CHROMIUM -eq 1 ]]; then
  if [[ -z "$(missing_pkgs chromium)" ]]; then
    say "Chromium: installed ($(chromium --version 2>/dev/null || echo /usr/bin/chromium))"
  else
    apt_install chromium
    say "Chromium: $(chromium --version 2>/dev/null || echo installed)"
  fi
fi

say "done in $((SECONDS - T0)) s"
