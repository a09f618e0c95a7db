#!/usr/bin/env bash
# Builds every release archive of .goreleaser.yaml into dist/, without
# publishing (goreleaser release --snapshot), then checks the result: one
# archive per platform, checksums.txt agreeing with them, and the
# linux/amd64 binary printing the version goreleaser gave it.
#
# goreleaser runs as `go run module@version`: the Go module proxy serves it,
# nothing else must be installed, and go.mod stays free of its hundreds of
# dependencies. v2.15.1 is pinned: v2.18 and later need a newer Go than 1.26.
# The first run downloads and compiles it (a few minutes); later runs take
# it from the build cache. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=${GORELEASER:-"go run github.com/goreleaser/goreleaser/v2@v2.15.1"}

# goreleaser reads the commit from git, and gives up on all of git's state
# (commit "none") when the clone has no remote, as a local clone or a
# worktree may not: name one for its git commands only, through git's
# environment, without touching the repository's configuration.
if ! git remote get-url origin >/dev/null 2>&1; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/ufhook/ufhook.git
fi
$GORELEASER release --snapshot --clean "$@"

want=(ufhook_linux_amd64.tar.gz ufhook_linux_arm64.tar.gz
  ufhook_darwin_amd64.tar.gz ufhook_darwin_arm64.tar.gz
  ufhook_windows_amd64.zip ufhook_windows_arm64.zip)
for a in "${want[@]}"; do
  [ -f "dist/$a" ] || { echo "release-snapshot: dist/$a is missing: check the archives section of .goreleaser.yaml" >&2; exit 1; }
done
(cd dist && sha256sum --check --strict checksums.txt)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf dist/ufhook_linux_amd64.tar.gz -C "$tmp" ufhook
got=$("$tmp/ufhook" --version)
echo "dist/ufhook_linux_amd64.tar.gz: $got"
file "$tmp/ufhook" 2>/dev/null || true
commit=$(git rev-parse HEAD) short=$(git rev-parse --short HEAD)
case $got in
  "ufhook version v"*"-snapshot+$short (commit $commit, built "*")") ;;
  *) echo "release-snapshot: the linux/amd64 binary says '$got', want 'ufhook version v<version>-snapshot+$short (commit $commit, built ...)': check the ldflags of .goreleaser.yaml" >&2; exit 1 ;;
esac
echo "release-snapshot: ${#want[@]} archives and checksums.txt in dist/"
