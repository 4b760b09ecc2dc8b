#!/usr/bin/env bash
# Makes a local Docker image of Debian bookworm (minbase) from Debian packages alone, for machines where no
# container registry is reachable: debootstrap into a folder, then `docker import` (WORLD notes: 43 s for
# minbase, plus whatever --include adds). Used by lab-image.sh (with Kamailio, SIPp, ...) and by
# freeswitch-image/build.sh (a plain base where debian:bookworm-slim cannot be pulled).
#
#   tools/debian-image.sh IMAGE [PACKAGES] [DESCRIPTION]
#
# PACKAGES is a comma-separated list for debootstrap --include. DEBIAN_MIRROR overrides the mirror (default:
# the first Debian mirror in /etc/apt/sources.list*, else http://deb.debian.org/debian). Run as root.
set -euo pipefail

image=${1:?usage: debian-image.sh IMAGE [PACKAGES] [DESCRIPTION]}
packages=${2:-}
description=${3:-Debian bookworm minbase, debootstrapped locally}

command -v debootstrap >/dev/null 2>&1 || { echo "debian-image: debootstrap is missing (apt-get install -y debootstrap)" >&2; exit 1; }

# The mirror this machine already uses: a deb822 'URIs:' line or a one-line 'deb URL bookworm' entry.
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -Eo '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    | grep -Eo 'https?://[^[:space:]]+' | head -1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

root=$(mktemp -d /tmp/webrtc-e2e-rootfs.XXXXXX)
trap 'rm -rf "$root" "$root.log"' EXIT

# No service starts inside the chroot: debootstrap runs no init.
debootstrap --variant=minbase ${packages:+--include="$packages"} bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -30 "$root.log" >&2; echo "debian-image: debootstrap of bookworm from $mirror failed" >&2; exit 1; }
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

tar -C "$root" -c . | docker import --change "LABEL org.opencontainers.image.description=\"$description\"" - "$image" >/dev/null
