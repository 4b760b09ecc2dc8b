#!/usr/bin/env bash
# Builds the local image webrtc-e2e/freeswitch:VERSION from pinned upstream source (tools/freeswitch-image/
# versions/VERSION.env): FreeSWITCH, sofia-sip and spandsp, each archive checked for its commit id, then the
# Dockerfile beside this script. The suites use that image by default (README, FreeSWITCH targets).
#
#   tools/freeswitch-image/build.sh [--version 1.10.12] [--rebuild] [--sources-only]
#
# --sources-only gets and verifies the three archives, then stops (no Docker needed).
#
# Sources: downloaded from upstream (GitHub archives of the pinned commits) into a cache folder, unless
# WEBRTC_E2E_FREESWITCH_SOURCES names a folder that holds them (an offline copy, a proxy's drop folder): there
# each archive is NAME.tar.xz, NAME.tar.gz or NAME.tar, NAME as in the versions file.
#
# Environment:
#   WEBRTC_E2E_FREESWITCH_SOURCES         folder with the archives (no download)
#   WEBRTC_E2E_FREESWITCH_MODULES_EXTRA   more modules to build, by name (mod_shout mod_av ...)
#   WEBRTC_E2E_FREESWITCH_BUILD_PACKAGES  more Debian -dev packages those modules need (libshout3-dev ...)
#   WEBRTC_E2E_FREESWITCH_BASE            the base image (default: debian:bookworm-slim when it can be had,
#                                         else webrtc-e2e/debian:bookworm made by tools/debian-image.sh)
#   WEBRTC_E2E_FREESWITCH_REBUILD=1       build even when an image with the same cache key exists
#
# Exit codes: 0 built or already there; 3 the sources cannot be had (offline, no folder): nothing built;
# 1 anything else (a wrong archive, a failed build). Skipped when an image with the same cache key (the three
# commits, the module list, the extra packages and this Dockerfile) exists.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=1.10.12
rebuild=${WEBRTC_E2E_FREESWITCH_REBUILD:-}
sources_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2:?--version needs a FreeSWITCH version}; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --sources-only) sources_only=1; shift ;;
    *) echo "usage: build.sh [--version X] [--rebuild] [--sources-only]" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
say() { printf '[freeswitch-image %4ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }
fail() { printf '[freeswitch-image %4ds] ERROR: %s\n' "$(( $(date +%s) - start ))" "$1" >&2; exit "${2:-1}"; }

pins="$here/versions/$version.env"
[ -f "$pins" ] || fail "no pins for FreeSWITCH $version: $pins does not exist (versions there: $(cd "$here/versions" && ls | sed 's/\.env$//' | tr '\n' ' '))"
# shellcheck source=versions/1.10.12.env
. "$pins"
image="webrtc-e2e/freeswitch:$FREESWITCH_VERSION"
modules=$(echo "$FREESWITCH_MODULES ${WEBRTC_E2E_FREESWITCH_MODULES_EXTRA:-}" | tr -s ' \n\t' '\n' | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//')
extra_packages=$(echo "${WEBRTC_E2E_FREESWITCH_BUILD_PACKAGES:-}" | tr -s ' \n\t' ' ' | sed 's/^ //; s/ $//')

# The cache key: what decides the image's content. The base is left out on purpose: debian:bookworm-slim and a
# local debootstrap of bookworm give the same FreeSWITCH.
key=$( { echo "$FREESWITCH_COMMIT $SOFIA_SIP_COMMIT $SPANDSP_COMMIT"; echo "$modules"; echo "$extra_packages"; cat "$here/Dockerfile"; } | sha256sum | cut -c1-16)

if [ -z "$sources_only" ]; then
  command -v docker >/dev/null 2>&1 || fail "no docker client on PATH"
  timeout 10 docker info >/dev/null 2>&1 || fail "the Docker engine does not answer (tools/setup.sh starts one)"
fi

if [ -z "$sources_only" ] && [ -z "$rebuild" ] && docker image inspect "$image" >/dev/null 2>&1; then
  have=$(docker image inspect -f '{{index .Config.Labels "webrtc-e2e.freeswitch.key"}}' "$image" 2>/dev/null || true)
  if [ "$have" = "$key" ]; then
    say "image $image already built from these commits and modules (key $key, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}')); skipping"
    exit 0
  fi
  say "image $image exists with cache key '${have:-none}', this build's is $key (commits, modules or Dockerfile changed): rebuilding"
fi

# --- Sources ---------------------------------------------------------------------------------------------
context=$(mktemp -d /tmp/webrtc-e2e-freeswitch-build.XXXXXX)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/sources"

commit_of() { # ARCHIVE -> the commit id git archive wrote into it (empty when none)
  case "$1" in
    *.xz) xz -dc "$1" ;;
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
  esac 2>/dev/null | git get-tar-commit-id 2>/dev/null || true
}

cache=${XDG_CACHE_HOME:-$HOME/.cache}/webrtc-e2e/freeswitch-src
fetch() { # NAME(archive base) COMMIT URL DEST(name in the context)
  local name=$1 commit=$2 url=$3 dest=$4 found="" f
  if [ -n "${WEBRTC_E2E_FREESWITCH_SOURCES:-}" ]; then
    [ -d "$WEBRTC_E2E_FREESWITCH_SOURCES" ] || fail "WEBRTC_E2E_FREESWITCH_SOURCES=$WEBRTC_E2E_FREESWITCH_SOURCES is not a folder"
    for f in "$WEBRTC_E2E_FREESWITCH_SOURCES/$name".tar.xz "$WEBRTC_E2E_FREESWITCH_SOURCES/$name".tar.gz "$WEBRTC_E2E_FREESWITCH_SOURCES/$name".tar; do
      [ -f "$f" ] && { found=$f; break; }
    done
    [ -n "$found" ] || fail "$name: no $name.tar.xz, $name.tar.gz or $name.tar in WEBRTC_E2E_FREESWITCH_SOURCES=$WEBRTC_E2E_FREESWITCH_SOURCES (expected commit $commit, from $url)"
  else
    found="$cache/$name.tar.gz"
    if [ ! -f "$found" ] || [ "$(commit_of "$found")" != "$commit" ]; then
      mkdir -p "$cache"
      say "downloading $url"
      if ! curl -fsSL --connect-timeout 15 --max-time 900 -o "$found.part" "$url"; then
        rm -f "$found.part"
        fail "$name: cannot download $url (offline?); put $name.tar.xz (git archive of commit $commit) in a folder and set WEBRTC_E2E_FREESWITCH_SOURCES to it" 3
      fi
      mv "$found.part" "$found"
    fi
  fi
  local got
  got=$(commit_of "$found")
  if [ "$got" != "$commit" ]; then
    fail "$found is not the pinned $name: it holds commit ${got:-"(none: not a git archive)"}, expected $commit (from $url)"
  fi
  ln "$found" "$context/sources/$dest" 2>/dev/null || cp "$found" "$context/sources/$dest"
  say "source $name: $found, commit $commit verified"
}
command -v git >/dev/null 2>&1 || fail "git is needed to read the commit id inside each archive (apt-get install -y git)"
fetch "$FREESWITCH_ARCHIVE" "$FREESWITCH_COMMIT" "$FREESWITCH_URL" freeswitch.tar
fetch "$SOFIA_SIP_ARCHIVE" "$SOFIA_SIP_COMMIT" "$SOFIA_SIP_URL" sofia-sip.tar
fetch "$SPANDSP_ARCHIVE" "$SPANDSP_COMMIT" "$SPANDSP_URL" spandsp.tar
cp "$here/Dockerfile" "$context/Dockerfile"
if [ -n "$sources_only" ]; then
  say "sources verified; --sources-only: not building"
  exit 0
fi

# --- Base image ------------------------------------------------------------------------------------------
base=${WEBRTC_E2E_FREESWITCH_BASE:-}
if [ -z "$base" ]; then
  if docker image inspect debian:bookworm-slim >/dev/null 2>&1 || timeout 300 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    base=debian:bookworm-slim
  else
    base=webrtc-e2e/debian:bookworm
    if ! docker image inspect "$base" >/dev/null 2>&1; then
      say "debian:bookworm-slim cannot be pulled here: making $base with debootstrap"
      "$here/../debian-image.sh" "$base" "" "Debian bookworm minbase, debootstrapped by WebRtcE2E (base of webrtc-e2e/freeswitch)"
    fi
  fi
fi
say "base image: $base"

# --- Build -----------------------------------------------------------------------------------------------
say "building $image (cache key $key) with $(echo "$modules" | wc -w) modules: $modules"
log="${TMPDIR:-/tmp}/webrtc-e2e-freeswitch-build.log"
jobs=$(nproc 2>/dev/null || echo 2)
# Legacy builder: it is what Debian's docker.io 20.10 has, and it streams each RUN's output, whose "@@phase"
# lines are printed here with the time; everything goes to the log, whose tail is shown when a step fails.
set +e
DOCKER_BUILDKIT=0 docker build --pull=false --force-rm -t "$image" \
  --build-arg BASE="$base" --build-arg MODULES="$modules" --build-arg BUILD_PACKAGES_EXTRA="$extra_packages" --build-arg JOBS="$jobs" \
  --label "webrtc-e2e.freeswitch.key=$key" \
  --label "webrtc-e2e.freeswitch.commit=$FREESWITCH_COMMIT" \
  --label "webrtc-e2e.sofia-sip.commit=$SOFIA_SIP_COMMIT" \
  --label "webrtc-e2e.spandsp.commit=$SPANDSP_COMMIT" \
  --label "webrtc-e2e.freeswitch.modules=$modules" \
  --label "org.opencontainers.image.version=$FREESWITCH_VERSION" \
  --label "org.opencontainers.image.revision=$FREESWITCH_COMMIT" \
  --label "org.opencontainers.image.source=https://github.com/signalwire/freeswitch/tree/$FREESWITCH_TAG" \
  --label "org.opencontainers.image.description=FreeSWITCH $FREESWITCH_VERSION ($FREESWITCH_TAG) with sofia-sip $SOFIA_SIP_TAG and spandsp $SPANDSP_COMMIT, built by WebRtcE2E" \
  "$context" 2>&1 | tee "$log" | while IFS= read -r line; do
    case "$line" in
      @@phase*) say "${line#@@phase }" ;;
      "runtime packages:"*) say "$line" ;;
    esac
  done
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  tail -n 40 "$log" >&2
  fail "docker build of $image failed (exit $status); whole log: $log"
fi
say "built $image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'), $(docker run --rm "$image" freeswitch -version 2>/dev/null | head -n 1)"
