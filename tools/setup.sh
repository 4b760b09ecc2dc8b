#!/usr/bin/env bash
# WebRtcE2E setup: installs and starts what the suites need on Debian (12, bookworm), idempotently, and says
# what it did. Run as root (or it re-runs itself with sudo). Safe to run again: each step checks first.
#
#   Debian packages  docker.io (the engine), chromium (the browser phone), debootstrap (lab images),
#                    sip-tester (SIPp, the native phone's peer), iproute2 + iptables (network faults)
#   Docker engine    started in the background when it is not running (/var/log/webrtc-e2e-dockerd.log)
#   npm packages     JsSIP + esbuild for the browser phone, then the JsSIP bundle (never committed)
#   local images     the lab image (Kamailio, SIPp, rtpengine, coturn from Debian) via tools/lab-image.sh
#   .NET             restore and build of WebRtcE2E.sln
#
# FreeSWITCH itself is not installed: it is not in Debian and no container registry is reachable from the
# machines this project is built on. Point the suites at an image, a binary or a server (README.md).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$@"
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK (10, see global.json) is not on PATH: it is not a Debian package; install it from" >&2
  echo "       Microsoft's packages or dotnet-install.sh first, then run tools/setup.sh again" >&2
  exit 1
fi
cd "$repo"
start=$(date +%s)
say() { printf '[setup %3ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }

# --- Debian packages -------------------------------------------------------------------------------------
want=(ca-certificates debootstrap sip-tester iproute2 iptables)
command -v python3 >/dev/null 2>&1 || want+=(python3)
command -v docker >/dev/null 2>&1 || want+=(docker.io)
# Node and npm bundle JsSIP (any Node >= 18); the machines this project is built on ship Node 20 already.
command -v npm >/dev/null 2>&1 || want+=(nodejs npm)
# The browser: Debian's chromium, unless the user points at another one (e.g. Chrome on a GitHub runner).
if [ -z "${WEBRTC_E2E_CHROMIUM:-}" ] && [ ! -x /usr/lib/chromium/chromium ]; then want+=(chromium); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages already installed: ${want[*]}"
fi

# --- Docker engine ---------------------------------------------------------------------------------------
if timeout 10 docker info >/dev/null 2>&1; then
  say "Docker engine running: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
else
  say "starting dockerd (log: /var/log/webrtc-e2e-dockerd.log)"
  nohup dockerd >/var/log/webrtc-e2e-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    timeout 5 docker info >/dev/null 2>&1 && break
    sleep 1
  done
  timeout 10 docker info >/dev/null 2>&1 || { tail -20 /var/log/webrtc-e2e-dockerd.log; echo "dockerd did not come up within 60 s" >&2; exit 1; }
  say "Docker engine running: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
fi

# --- Browser phone assets (npm) --------------------------------------------------------------------------
browser="$repo/fixtures/WebRtcE2E.Fixtures/Phones/Browser"
if [ -f "$browser/package.json" ]; then
  if [ ! -d "$browser/node_modules" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules" ]; then
    say "npm ci (jssip, esbuild)"
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$browser/node_modules"
  else
    say "npm packages already installed"
  fi
  say "building the JsSIP bundle"
  (cd "$browser" && npm run --silent build)
fi

# --- Local images ----------------------------------------------------------------------------------------
if [ -x "$repo/tools/lab-image.sh" ]; then
  "$repo/tools/lab-image.sh"
fi

# --- .NET ------------------------------------------------------------------------------------------------
say "dotnet build"
dotnet build "$repo/WebRtcE2E.sln" -nologo -v quiet -clp:ErrorsOnly
say "done"
