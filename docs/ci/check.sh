#!/bin/sh
# ufhook check from any CI (Jenkins, CircleCI, Buildkite, a Makefile...) or a
# laptop: installs a release of ufhook unless one is on PATH (checksum
# verified), then runs the conformance suite against your running receiver.
#
#   UFHOOK_TARGET=http://127.0.0.1:3000/webhooks UFHOOK_TOKEN=... sh check.sh [more ufhook check flags]
#
# Environment:
#   UFHOOK_TARGET    the receiver's webhook URL (required)
#   UFHOOK_TOKEN     the webhook API key it expects (keep it in your CI's secrets)
#   UFHOOK_MODE      test (default) or live (live needs https)
#   UFHOOK_JUNIT     where the JUnit report goes (default report.xml)
#   UFHOOK_VERSION   the release to install, e.g. 1.2.3 (default latest)
#   UFHOOK_DIR       where it is installed (default .ufhook)
#   UFHOOK_RELEASES  where releases are downloaded from (default GitHub's)
set -eu

: "${UFHOOK_TARGET:?set UFHOOK_TARGET to the receiver webhook URL, e.g. http://127.0.0.1:3000/webhooks}"
version=${UFHOOK_VERSION:-latest}
releases=${UFHOOK_RELEASES:-https://github.com/ufhook/ufhook/releases}
dir=${UFHOOK_DIR:-.ufhook}

if ! command -v ufhook >/dev/null 2>&1; then
  case $(uname -s) in
    Linux) os=linux ;; Darwin) os=darwin ;; MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) echo "check.sh: no ufhook release for $(uname -s): go install github.com/ufhook/ufhook/cmd/ufhook@latest" >&2; exit 2 ;;
  esac
  case $(uname -m) in
    x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;;
    *) echo "check.sh: no ufhook release for $(uname -m): go install github.com/ufhook/ufhook/cmd/ufhook@latest" >&2; exit 2 ;;
  esac
  ext=tar.gz
  if [ "$os" = windows ]; then ext=zip; fi
  archive=ufhook_${os}_${arch}.$ext
  if [ "$version" = latest ]; then url=$releases/latest/download; else url=$releases/download/v${version#v}; fi
  mkdir -p "$dir"
  curl -fsSL -o "$dir/$archive" "$url/$archive" -o "$dir/checksums.txt" "$url/checksums.txt"
  want=$(awk -v a="$archive" '$2 == a { print $1 }' "$dir/checksums.txt")
  if command -v sha256sum >/dev/null 2>&1; then got=$(sha256sum "$dir/$archive"); else got=$(shasum -a 256 "$dir/$archive"); fi
  got=${got%% *}
  if [ -z "$want" ] || [ "$got" != "$want" ]; then
    echo "check.sh: $archive has sha256 $got but checksums.txt says '${want:-nothing}': the download is corrupt; try again" >&2
    exit 2
  fi
  if [ "$ext" = zip ]; then (cd "$dir" && unzip -q -o "$archive"); else tar -xzf "$dir/$archive" -C "$dir"; fi
  PATH="$(cd "$dir" && pwd):$PATH"
  export PATH
fi
ufhook --version
exec ufhook check --target "$UFHOOK_TARGET" --mode "${UFHOOK_MODE:-test}" --junit "${UFHOOK_JUNIT:-report.xml}" "$@"
