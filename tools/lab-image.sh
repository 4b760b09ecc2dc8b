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
# Environment: LAB_IMAGE (default webrtc-e2e/lab:bookworm), DEBIAN_MIRROR (see debian-image.sh).
set -euo pipefail

image=${LAB_IMAGE:-webrtc-e2e/lab:bookworm}
packages=kamailio,kamailio-websocket-modules,kamailio-tls-modules,sip-tester,rtpengine-daemon,coturn,iptables,iproute2,ca-certificates
start=$(date +%s)
say() { printf '[lab-image %3ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "lab-image: debootstrap needs root, and there is no sudo here" >&2; exit 1; }
  exec sudo -E env "PATH=$PATH" bash "$0" "$@"
fi

if [ -z "${LAB_IMAGE_REBUILD:-}" ] && docker image inspect "$image" >/dev/null 2>&1; then
  say "image $image already exists ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}')); skipping"
  exit 0
fi

say "debootstrap --variant=minbase bookworm with: $packages, then docker import -> $image"
# The harness starts the image's Kamailio with its own config (the Debian unit would start on 5060 with
# /etc/kamailio's); debootstrap starts no service.
"$(dirname "${BASH_SOURCE[0]}")/debian-image.sh" "$image" "$packages" \
  "WebRtcE2E lab peers from Debian bookworm: kamailio, sipp, rtpengine, coturn"
say "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
