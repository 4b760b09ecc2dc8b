#!/usr/bin/env bash
# Builds the local Docker image the lab tests run their Debian peers in, from Debian packages only:
# no container registry is reachable from the machines this project is built on, so the image is a
# debootstrap'ed Debian (bookworm, minbase) imported with `docker import` (see README / WORLD notes).
#
#   webrtc-e2e/lab:bookworm   kamailio 5.6 + websocket + tls modules (WSS registrar/proxy for the browser
#                             phone's lab proof), sip-tester (SIPp), rtpengine-daemon, coturn, iptables,
#                             iproute2 (for later lab scenarios)
#
# Idempotent: skips when the image exists (LAB_IMAGE_REBUILD=1 forces a rebuild). Run as root.
# Environment: LAB_IMAGE (default webrtc-e2e/lab:bookworm), DEBIAN_MIRROR (default: the first Debian mirror
# found in /etc/apt/sources.list*, else http://deb.debian.org/debian).
set -euo pipefail

image=${LAB_IMAGE:-webrtc-e2e/lab:bookworm}
packages=kamailio,kamailio-websocket-modules,kamailio-tls-modules,sip-tester,rtpengine-daemon,coturn,iptables,iproute2,ca-certificates
start=$(date +%s)
say() { printf '[lab-image %3ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$@"
fi

if [ -z "${LAB_IMAGE_REBUILD:-}" ] && docker image inspect "$image" >/dev/null 2>&1; then
  say "image $image already exists ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}')); skipping"
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }

# The mirror this machine already uses: a deb822 'URIs:' line or a one-line 'deb URL bookworm' entry.
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -Eo '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    | grep -Eo 'https?://[^[:space:]]+' | head -1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

root=$(mktemp -d /tmp/webrtc-e2e-lab-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

say "debootstrap --variant=minbase bookworm from $mirror with: $packages"
# No service starts inside the chroot: debootstrap runs no init, and the image's Kamailio is started by the
# harness with its own config (the Debian unit would start on 5060 with /etc/kamailio's).
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -30 "$root.log" >&2; rm -f "$root.log"; echo "debootstrap failed" >&2; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

say "docker import -> $image"
tar -C "$root" -c . | docker import \
  --change 'LABEL org.opencontainers.image.description="WebRtcE2E lab peers from Debian bookworm: kamailio, sipp, rtpengine, coturn"' \
  - "$image" >/dev/null
say "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
