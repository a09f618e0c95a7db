#!/usr/bin/env bash
# Builds ufhook's container image (Containerfile: FROM scratch, nothing to
# pull) with podman, from a clone:
#
#   scripts/image-build.sh                 # -> localhost/ufhook:dev
#   podman run --rm --network host -e UFHOOK_TOKEN localhost/ufhook:dev check --target http://127.0.0.1:3000/webhooks --mode test
#
# Environment: IMAGE (default localhost/ufhook:dev); PODMAN (default podman
# --storage-driver vfs, which builds anywhere, root or not; plain podman
# shares your usual image store); BINARY, a static linux ufhook to put in
# the image (default: built here with CGO_ENABLED=0, stamped with VERSION,
# COMMIT and DATE, which default to the commit checked out and now).
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a podman <<<"${PODMAN:-podman --storage-driver vfs}"
image=${IMAGE:-localhost/ufhook:dev}
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
say() { echo "image-build: $*"; }

# The build context: the binary, the host's CA roots (for https targets;
# scratch has none), and an empty folder that becomes the user's home.
mkdir "$ctx/home"
if [ -n "${BINARY:-}" ]; then
  cp "$BINARY" "$ctx/ufhook"
else
  commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
  version=${VERSION:-v0.0.0-image+${commit:0:12}}
  date=${DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
  start=$(date +%s)
  CGO_ENABLED=0 GOOS=linux go build -trimpath \
    -ldflags "-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date" \
    -o "$ctx/ufhook" ./cmd/ufhook
  say "static binary built in $(($(date +%s) - start))s"
fi
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"

# --format docker keeps the HEALTHCHECK (the OCI format drops it).
start=$(date +%s)
"${podman[@]}" build --quiet --format docker --pull=never -f Containerfile -t "$image" "$ctx" >/dev/null
say "image $image built in $(($(date +%s) - start))s ($("${podman[@]}" image inspect --format '{{.Size}}' "$image") bytes)"
