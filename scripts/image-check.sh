#!/usr/bin/env bash
# Builds ufhook's container image (Containerfile) with podman, then runs
# `ufhook check` from the image against the reference receiver started on the
# host, and `ufhook healthcheck` from the image against `ufhook serve`.
#
# Where the machine refuses to run containers (a sandbox whose runtime cannot
# set resource limits: "crun: setrlimit ...: Operation not permitted"), it
# exports the image's filesystem and runs the image's own binary from there,
# and says so. Needs podman (apt-get install podman); not part of `make test`.
#
# Environment: PODMAN (default: podman --storage-driver vfs, which builds
# anywhere, root or not), IMAGE (default localhost/ufhook:dev), PORT and
# SERVE_PORT (default 18480 and 18487).
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a podman <<<"${PODMAN:-podman --storage-driver vfs}"
image=${IMAGE:-localhost/ufhook:dev}
port=${PORT:-18480}
serve_port=${SERVE_PORT:-18487}
token=uf_test_webhook_imagecheck_0123456789abcdef

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${cid:-}" "${serve_cid:-}"; do
    if [ -n "$c" ]; then "${podman[@]}" rm -f "$c" >/dev/null 2>&1 || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "image-check: $*"; }

# 1. A static binary with its version stamped in, and the image made from it
#    (scripts/image-build.sh).
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=${VERSION:-v0.0.0-image+${commit:0:12}}
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$work/ctx"
start=$(date +%s)
CGO_ENABLED=0 GOOS=linux go build -trimpath \
  -ldflags "-s -w -X main.version=$version -X main.commit=$commit -X main.date=$built" \
  -o "$work/ctx/ufhook" ./cmd/ufhook
say "static binary built in $(( $(date +%s) - start ))s: $(file -b "$work/ctx/ufhook" 2>/dev/null | cut -d, -f1-2 || echo ufhook)"
IMAGE=$image PODMAN="${podman[*]}" BINARY="$work/ctx/ufhook" scripts/image-build.sh

# 2. The image's configuration.
"${podman[@]}" image inspect --format 'image-check: user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}, healthcheck {{.Config.Healthcheck.Test}}' "$image"
cfg=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{.Config.Entrypoint}}|{{.Config.Healthcheck.Test}}' "$image")
case $cfg in
  "65532:65532|[ufhook]|[CMD ufhook healthcheck --url http://127.0.0.1:8787/]") ;;
  *) say "FAIL: the image's user, entrypoint or healthcheck is '$cfg': check Containerfile" >&2; exit 1 ;;
esac

# 3. How to run the image: in a container when the machine allows it, else
#    the image's own binary from its exported filesystem.
mode=container
if ! out=$("${podman[@]}" run --rm --pull=never --network host "$image" --version 2>&1); then
  mode=exported
  say "this machine refuses to run containers: ${out//$'\n'/ }"
  cid=$("${podman[@]}" create --pull=never "$image")
  mkdir "$work/rootfs"
  "${podman[@]}" export "$cid" | tar -x -C "$work/rootfs"
  say "so the image's filesystem is exported (podman export) to a folder, and its own /usr/local/bin/ufhook runs from there, as user 65532"
  out=$("$work/rootfs/usr/local/bin/ufhook" --version)
fi
runimg() {
  if [ "$mode" = container ]; then
    "${podman[@]}" run --rm --pull=never --network host -v "$work:/out" "$image" "$@"
  else
    # The container's user: setpriv drops root as the image's USER does.
    (cd "$work" && HOME="$work/rootfs/home/ufhook" SSL_CERT_FILE="$work/rootfs/etc/ssl/certs/ca-certificates.crt" \
      setpriv --reuid 65532 --regid 65532 --clear-groups "$work/rootfs/usr/local/bin/ufhook" "$@")
  fi
}
say "ufhook --version from the image ($mode): $out"
[ "$out" = "ufhook version $version (commit $commit, built $built)" ] ||
  { say "FAIL: want 'ufhook version $version (commit $commit, built $built)'" >&2; exit 1; }

# 4. The reference receiver on the host, then check from the image.
"$work/ctx/ufhook" receive --http --listen "127.0.0.1:$port" --token "$token" >"$work/receiver.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q 'listening on' "$work/receiver.log" && break; sleep 0.2; done
grep -q 'listening on' "$work/receiver.log" || { cat "$work/receiver.log" >&2; say "FAIL: the receiver did not start" >&2; exit 1; }
chmod 0777 "$work"
junit=/out/report.xml
[ "$mode" = exported ] && junit=$work/report.xml
set +e
runimg check --target "http://127.0.0.1:$port/webhooks" --token "$token" --mode test --junit "$junit" >"$work/check.log" 2>&1
rc=$?
set -e
tail -n 3 "$work/check.log"
[ "$rc" -eq 0 ] || { cat "$work/check.log" >&2; say "FAIL: ufhook check from the image exited $rc" >&2; exit 1; }
grep -q '<testsuites tests="[1-9]' "$work/report.xml" || { say "FAIL: no JUnit report" >&2; exit 1; }
say "ufhook check from the image ($mode) passed the reference receiver; JUnit report written"

# 5. serve and its health check, both from the image.
if [ "$mode" = container ]; then
  serve_cid=$("${podman[@]}" run -d --pull=never --network host "$image" serve --db :memory: --listen "127.0.0.1:$serve_port" \
    --target "http://127.0.0.1:$port/webhooks" --token "$token" --mode test)
else
  runimg serve --db :memory: --listen "127.0.0.1:$serve_port" \
    --target "http://127.0.0.1:$port/webhooks" --token "$token" --mode test >"$work/serve.log" 2>&1 &
  pids+=($!)
fi
healthy=
for _ in $(seq 150); do
  if runimg healthcheck --url "http://127.0.0.1:$serve_port/" >"$work/health.log" 2>&1; then healthy=1; break; fi
  sleep 0.2
done
cat "$work/health.log"
[ -n "$healthy" ] || { cat "$work/serve.log" >&2 2>/dev/null || "${podman[@]}" logs "$serve_cid" >&2; say "FAIL: the image's HEALTHCHECK command never saw serve healthy" >&2; exit 1; }
say "OK ($mode): image built, check passed, healthcheck saw serve healthy"
