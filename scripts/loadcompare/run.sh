#!/usr/bin/env bash
# Side-by-side load runs of ufhook emit and vegeta (issue 15, item 5), against
# one HTTPS sink on loopback (scripts/loadcompare/sink.go): at a fixed rate,
# and at the highest rate each reaches. Prints, for each run, the rate held,
# the latencies and the CPU seconds per 1,000 deliveries (user+sys of the
# load generator's process alone, from /usr/bin/time).
#
#   scripts/loadcompare/run.sh [RATE] [DURATION]     # default 5000 and 10s
#
# vegeta is installed from the Go module proxy (github.com/tsenart/vegeta/v12
# v12.13.0) into a temporary folder: it is a yardstick, not a dependency.
set -euo pipefail
rate=${1:-5000}
duration=${2:-10s}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'kill "$sink" 2>/dev/null || true; rm -rf "$tmp"' EXIT
command -v /usr/bin/time >/dev/null || { echo "run.sh needs /usr/bin/time: apt-get install -y time" >&2; exit 2; }

go build -o "$tmp/ufhook" ./cmd/ufhook
GOBIN="$tmp" go install github.com/tsenart/vegeta/v12@v12.13.0
go build -o "$tmp/sink" scripts/loadcompare/sink.go
port=$((20000 + RANDOM % 20000))
"$tmp/sink" "127.0.0.1:$port" "$tmp/ca.pem" 2>"$tmp/sink.log" &
sink=$!
for _ in $(seq 50); do [ -s "$tmp/ca.pem" ] && break; sleep 0.1; done
[ -s "$tmp/ca.pem" ] || { echo "the sink did not start: $(cat "$tmp/sink.log")" >&2; exit 1; }
url="https://127.0.0.1:$port/"
token=uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f

# vegeta sends one payload again and again; ufhook makes a fresh one per
# delivery (its own generator's cost is in its CPU figure).
"$tmp/ufhook" example user.created --seed 1 --mode test >"$tmp/body.json"
printf 'POST %s\nAuthorization: Bearer %s\nContent-Type: application/json\n@%s\n' "$url" "$token" "$tmp/body.json" >"$tmp/targets"

cpu() { # prints user+sys seconds from a /usr/bin/time -f '%U %S' file
	awk '{print $1 + $2}' "$1"
}
figures() { # the figures of emit --json's summary line, in one line
	tail -1 "$1" | sed -E 's/.*"sent":([0-9]+),"failed":([0-9]+).*"eventsPerSecond":([0-9.]+).*"elapsedMs":([0-9.]+).*/sent \1, failed \2, \3 per s over \4 ms/' | tr '\n' ' '
	tail -1 "$1" | sed -E 's/.*"summary":\{[^}]*"p50Ms":([0-9.]+),"p99Ms":([0-9.]+).*"p90Ms":([0-9.]+),"p999Ms":([0-9.]+),"maxMs":([0-9.]+).*/; p50 \1 ms, p90 \3 ms, p99 \2 ms, p99.9 \4 ms, max \5 ms/'
}

echo "machine: $(nproc) cores, $(uname -sm), $(go version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## fixed rate: $rate/s for $duration"
/usr/bin/time -f '%U %S' -o "$tmp/v.time" "$tmp/vegeta" attack -rate="$rate/s" -duration="$duration" \
	-root-certs="$tmp/ca.pem" -targets="$tmp/targets" >"$tmp/v.bin"
"$tmp/vegeta" report <"$tmp/v.bin" >"$tmp/v.txt"
n=$("$tmp/vegeta" report -type=json <"$tmp/v.bin" | sed -E 's/.*"requests":([0-9]+).*/\1/')
echo "vegeta:  $(grep -E '^(Requests|Latencies|Status)' "$tmp/v.txt" | tr -s ' ' | paste -sd ';')"
echo "vegeta:  cpu $(cpu "$tmp/v.time") s for $n requests"

/usr/bin/time -f '%U %S' -o "$tmp/u.time" "$tmp/ufhook" emit user.created --target "$url" --ca "$tmp/ca.pem" --token "$token" \
	--mode test --rate "$rate/s" --duration "$duration" --seed 1 -q --json >"$tmp/u.json"
echo "ufhook:  $(figures "$tmp/u.json")"
echo "ufhook:  cpu $(cpu "$tmp/u.time") s"

echo
echo "## maximum rate: 64 at a time, vegeta for $duration, then ufhook for as many deliveries"
/usr/bin/time -f '%U %S' -o "$tmp/v2.time" "$tmp/vegeta" attack -rate=0 -max-workers=64 -duration="$duration" \
	-root-certs="$tmp/ca.pem" -targets="$tmp/targets" >"$tmp/v2.bin"
"$tmp/vegeta" report <"$tmp/v2.bin" >"$tmp/v2.txt"
n=$("$tmp/vegeta" report -type=json <"$tmp/v2.bin" | sed -E 's/.*"requests":([0-9]+).*/\1/')
echo "vegeta:  $(grep -E '^(Requests|Latencies|Status)' "$tmp/v2.txt" | tr -s ' ' | paste -sd ';')"
echo "vegeta:  cpu $(cpu "$tmp/v2.time") s for $n requests"
/usr/bin/time -f '%U %S' -o "$tmp/u2.time" "$tmp/ufhook" emit user.created --target "$url" --ca "$tmp/ca.pem" --token "$token" \
	--mode test --count "$n" --concurrency 64 --seed 1 -q --json >"$tmp/u2.json"
echo "ufhook:  $(figures "$tmp/u2.json")"
echo "ufhook:  cpu $(cpu "$tmp/u2.time") s for $n deliveries"
