#!/usr/bin/env bash
# WebRtcE2E setup: installs and starts what the suites need on Debian (12, bookworm), idempotently, and says
# what it did. Run as root; as another user it re-runs itself with sudo where sudo exists. Safe to run again:
# each step checks first.
#
#   Debian packages  docker.io (the engine, when no dockerd is installed), chromium (the browser phone),
#                    debootstrap (local images), git + curl + xz-utils (FreeSWITCH sources), sip-tester (SIPp,
#                    the native phone's peer), iproute2 + iptables (network faults)
#   Docker engine    started when it is not running (systemd where it runs, else dockerd in the background,
#                    log: /var/log/webrtc-e2e-dockerd.log)
#   npm packages     JsSIP, SIP.js + esbuild for the browser phone, then both bundles (never committed)
#   local images     the lab image (Kamailio, SIPp, rtpengine, coturn from Debian) via tools/lab-image.sh, and
#                    webrtc-e2e/freeswitch:1.10.12 from pinned upstream source via tools/freeswitch-image/build.sh
#                    (downloaded, or from the folder WEBRTC_E2E_FREESWITCH_SOURCES names)
#   .NET             restore and build of WebRtcE2E.sln
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -E env "PATH=$PATH" bash "$0" "$@"
  fi
  echo "setup: needs root (apt-get, the Docker engine, images) and there is no sudo here: run it as root" >&2
  exit 1
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
want=(ca-certificates debootstrap sip-tester iproute2 iptables git curl xz-utils)
command -v python3 >/dev/null 2>&1 || want+=(python3)
# The engine, not the client: machines of this kind come with a docker CLI and no engine. An engine that
# answers (Docker Desktop, a remote DOCKER_HOST, a distribution's docker-ce) is used as it is.
if ! timeout 10 docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then want+=(docker.io); fi
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
  if [ -d /run/systemd/system ] && systemctl cat docker.service >/dev/null 2>&1; then
    say "starting the Docker engine (systemctl start docker)"
    systemctl start docker
  else
    say "starting dockerd (log: /var/log/webrtc-e2e-dockerd.log)"
    nohup dockerd >/var/log/webrtc-e2e-dockerd.log 2>&1 &
  fi
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
    say "npm ci (jssip, sip.js, esbuild)"
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$browser/node_modules"
  else
    say "npm packages already installed"
  fi
  say "building the JsSIP and SIP.js bundles"
  (cd "$browser" && npm run --silent build)
fi

# --- Local images ----------------------------------------------------------------------------------------
"$repo/tools/lab-image.sh"

# FreeSWITCH from pinned source: the suites' default target. Exit 3 means the sources could not be had
# (offline, no WEBRTC_E2E_FREESWITCH_SOURCES): say so and go on; the FreeSWITCH tests are then Ignored with
# that reason. Any other failure (a wrong archive, a failed build) stops setup.
fs_status=0
"$repo/tools/freeswitch-image/build.sh" || fs_status=$?
if [ "$fs_status" -eq 3 ]; then
  say "FreeSWITCH image NOT built: its sources could be had neither from upstream nor from a folder (see above);"
  say "  the FreeSWITCH tests will be Ignored. Set WEBRTC_E2E_FREESWITCH_SOURCES to a folder with the archives"
  say "  (tools/freeswitch-image/versions/) and run setup again"
elif [ "$fs_status" -ne 0 ]; then
  echo "setup: building the FreeSWITCH image failed (exit $fs_status)" >&2
  exit "$fs_status"
fi

# --- .NET ------------------------------------------------------------------------------------------------
say "dotnet build"
dotnet build "$repo/WebRtcE2E.sln" -nologo -v quiet -clp:ErrorsOnly
say "done"
