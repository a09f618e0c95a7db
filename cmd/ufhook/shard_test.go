package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/loadreport"
)

// TestEmitShardRefusesBadValues: a --shard that is not I/N with
// 0 ≤ I < N, or a shard without --seed, exits 2 saying what to write, and
// sends nothing.
func TestEmitShardRefusesBadValues(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "index = count", args: []string{"--shard", "3/3", "--seed", "1"}, want: []string{"--shard 3/3", "count from 0", "0/3 to 2/3"}},
		{name: "negative index", args: []string{"--shard", "-1/2", "--seed", "1"}, want: []string{"count from 0", "JOB_COMPLETION_INDEX"}},
		{name: "no shards", args: []string{"--shard", "1/0", "--seed", "1"}, want: []string{"number of shards must be 1 to"}},
		{name: "too many shards", args: []string{"--shard", "1/10001", "--seed", "1"}, want: []string{"number of shards must be 1 to 10000"}},
		{name: "not numbers", args: []string{"--shard", "a/b", "--seed", "1"}, want: []string{`--shard "a/b"`, "write I/N", "such as --shard 0/4"}},
		{name: "no slash", args: []string{"--shard", "2", "--seed", "1"}, want: []string{"write I/N"}},
		{name: "empty", args: []string{"--shard", "", "--seed", "1"}, want: []string{"write I/N"}},
		{name: "unexpanded variable", args: []string{"--shard", "$(JOB_COMPLETION_INDEX)/4", "--seed", "1"}, want: []string{"write I/N"}},
		{name: "no seed", args: []string{"--shard", "1/2"}, want: []string{"give the same --seed to every shard"}},
		{name: "no seed, rate", args: []string{"--shard", "1/2", "--rate", "10/s", "--count", "4"}, want: []string{"give the same --seed to every shard"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"emit", "user.created", "--target", srv.URL, "--token", emitToken, "--count", "4"}, tc.args...)
			code, _, stderr := runCLI(t, args...)
			assert.Equal(t, exitUsage, code, stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
	assert.Zero(t, rec.Len(), "nothing is sent")
}

// TestEmitShardSendsItsPart: shard 1 of 3 of a closed run of 10 sends
// deliveries 1, 4 and 7 (seeds 5+1, 5+4, 5+7), says so in its header, and
// records itself in its result file; with --body no --seed is needed.
func TestEmitShardSendsItsPart(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	results := filepath.Join(t.TempDir(), "shard-1.json")
	code, out, stderr := runCLI(t, "emit", "user.created", "user.deleted", "--target", srv.URL, "--token", emitToken,
		"--count", "10", "--seed", "5", "--shard", "1/3", "--results", results)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 3, rec.Len())
	assert.Contains(t, out, "seed 5, shard 1/3 (3 of 10 deliveries)")
	assert.Regexp(t, `user\.deleted .* seed 6\n`, out, "delivery 1 is user.deleted of seed 5+1")
	assert.Regexp(t, `user\.created .* seed 9\n`, out)
	assert.Regexp(t, `user\.deleted .* seed 12\n`, out)
	assert.Contains(t, out, "3 sent, 0 failed")
	res, err := loadreport.Read(results)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Settings.ShardIndex)
	assert.Equal(t, 3, res.Settings.ShardCount)
	assert.Equal(t, 10, res.Settings.Count, "the whole run's count")
	require.NotNil(t, res.Settings.Seed)
	assert.Equal(t, uint64(5), *res.Settings.Seed, "the whole run's seed")

	code, out, stderr = runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
		"--count", "10", "--seed", "5", "--shard", "2/3", "--json", "-q")
	require.Equal(t, exitOK, code, stderr)
	var sum summaryLine
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &sum), out)
	assert.Equal(t, "2/3", sum.Summary.Shard)
	assert.Equal(t, 3, sum.Summary.Sent, "shard 2 of 3 of 10 makes 2, 5 and 8")

	body := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(body, exampleBody(t, "user.created"), 0o600))
	code, _, stderr = runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
		"--count", "10", "--body", body, "--shard", "0/3", "-q")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 3+3+4, rec.Len(), "shard 0 of 3 of 10 sends 0, 3, 6 and 9")
}

// TestReportMergeRefuses: report merge exits 2, saying what to do, for no
// files, files that do not exist or are not result files, and files that
// are not every shard of one run once.
func TestReportMergeRefuses(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := t.TempDir()
	shard := func(name, seed, spec string) string {
		path := filepath.Join(dir, name)
		code, _, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
			"--count", "4", "--seed", seed, "--shard", spec, "--results", path, "-q")
		require.Equal(t, exitOK, code, stderr)
		return path
	}
	s0, s1, s2 := shard("s0.json", "1", "0/3"), shard("s1.json", "1", "1/3"), shard("s2.json", "1", "2/3")
	other := shard("other.json", "2", "2/3")
	notJSON := filepath.Join(dir, "not.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("sent: 4"), 0o600))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "no files", want: []string{"no result files", "give every shard's file"}},
		{name: "missing file", args: []string{s0, filepath.Join(dir, "s9.json")}, want: []string{"s9.json does not exist"}},
		{name: "not a result file", args: []string{s0, notJSON}, want: []string{"bad result file", "not.json"}},
		{name: "missing shard", args: []string{s0, s2}, want: []string{"shard 1 of 3 is missing", "s0.json " + s2}},
		{name: "repeated shard", args: []string{s0, s1, s2, s1}, want: []string{"shard 1 given more than once"}},
		{name: "another run", args: []string{s0, s1, other}, want: []string{"differ in seed (1 and 2)"}},
		{name: "unwritable output", args: []string{s0, s1, s2, "-o", filepath.Join(dir, "no", "m.json")}, want: []string{"-o", "existing directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"report", "merge"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, out+stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
	code, out, stderr := runCLI(t, "report", "merge", s2, s0, s1)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "merged 3 shards of the run (seed 1, 4 deliveries, concurrency 1 per shard")
	assert.Regexp(t, `(?m)^4 sent, 0 failed, p50 \S+, p99 \S+, \d+ events/s \(4 attempts, 4 deliveries in \S+\)$`, out,
		"the summary line is emit's")
}

// timestamps matches the RFC 3339 times of a payload, which depend on when
// it was built rather than on its seed.
var timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[^"]*"`)

// payloadKeys returns a key per request received, sorted: the hash of its
// body with its timestamps blanked, so that two runs of the same seed give
// the same keys.
func payloadKeys(rec *hooktest.Recorder) []string {
	var keys []string
	for _, r := range rec.Requests() {
		sum := sha256.Sum256(timestamps.ReplaceAll(r.Body, []byte(`"T"`)))
		keys = append(keys, hex.EncodeToString(sum[:]))
	}
	slices.Sort(keys)
	return keys
}

// TestFourShardsAsFourProcesses: four `ufhook emit --shard I/4` processes
// against one receiver, merged by `ufhook report merge`, count every
// delivery once: the receiver got rate × duration requests, the merged
// report counts as many, each seed of the run was sent by exactly one
// shard (the one it belongs to), and the payloads received are those of
// the same run made by one process.
func TestFourShardsAsFourProcesses(t *testing.T) {
	const (
		shards = 4
		seed   = 9
		total  = 200 // 200/s for 1s
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel) // kills any process still running
	dir := t.TempDir()
	bin := filepath.Join(dir, "ufhook")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	emitArgs := []string{"emit", "user.created", "user.deleted", "--target", srv.URL, "--token", emitToken,
		"--rate", "200/s", "--duration", "1s", "--seed", strconv.Itoa(seed), "--json"}

	// Start the four shards at once, as four processes.
	var (
		wg      sync.WaitGroup
		outputs [shards]bytes.Buffer
		errs    [shards]bytes.Buffer
		codes   [shards]int
		results [shards]string
	)
	for i := range shards {
		results[i] = filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		cmd := exec.CommandContext(ctx, bin, append(slices.Clone(emitArgs), "--shard", fmt.Sprintf("%d/%d", i, shards), "--results", results[i])...)
		cmd.Stdout, cmd.Stderr = &outputs[i], &errs[i]
		require.NoError(t, cmd.Start())
		wg.Go(func() {
			_ = cmd.Wait()
			codes[i] = cmd.ProcessState.ExitCode()
		})
	}
	wg.Wait()
	seen := map[int]int{}
	for i := range shards {
		require.Equal(t, exitOK, codes[i], "shard %d: %s", i, errs[i].String())
		sc := bufio.NewScanner(&outputs[i])
		lines := 0
		for sc.Scan() {
			var line deliveryLine
			require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
			if line.Seed == nil { // the summary
				continue
			}
			lines++
			assert.True(t, line.OK, "shard %d, delivery %d", i, line.Index)
			assert.Equal(t, i, line.Index%shards, "shard %d makes only its own deliveries", i)
			assert.Equal(t, uint64(seed+line.Index), *line.Seed, "delivery i carries seed --seed+i")
			seen[line.Index]++
		}
		assert.Equal(t, total/shards, lines, "shard %d makes a quarter of the run", i)
	}
	require.Equal(t, total, rec.Len(), "the receiver got rate × duration deliveries")
	for i := range total {
		assert.Equal(t, 1, seen[i], "delivery %d is made once", i)
	}
	sharded := payloadKeys(rec)

	merged := filepath.Join(dir, "merged.json")
	page := filepath.Join(dir, "merged.html")
	merge := exec.CommandContext(ctx, bin, append([]string{"report", "merge", "-o", merged, "--report", page}, results[3], results[1], results[0], results[2])...)
	out, err = merge.CombinedOutput()
	require.NoError(t, err, "report merge: %s", out)
	assert.Contains(t, string(out), "merged 4 shards of the run (seed 9, rate 200/s for 1s")
	assert.Contains(t, string(out), "statuses: 200 ×200; retries: 0; failures: none")
	assert.Regexp(t, `(?m)^200 sent, 0 failed, .*\(200 attempts, 200 deliveries in \S+\)$`, string(out))
	res, err := loadreport.Read(merged)
	require.NoError(t, err)
	assert.Equal(t, int64(total), res.Summary.Sent, "the merged report counts every delivery once")
	assert.Zero(t, res.Summary.Failed+res.Summary.Skipped)
	assert.Equal(t, int64(total), res.Summary.Latency.Count)
	overall, err := res.Overall()
	require.NoError(t, err)
	assert.Equal(t, int64(total), overall.TotalCount())
	assert.Equal(t, int64(total/2), res.Summary.Events["user.created"].Count)
	var inSeries int64
	for _, s := range res.Series {
		inSeries += s.Count
	}
	assert.Equal(t, int64(total), inSeries, "the series counts every delivery once")
	assert.Equal(t, shards, res.Settings.Shards)
	html, err := os.ReadFile(page)
	require.NoError(t, err, "--report writes the merged run's page")
	assert.Contains(t, string(html), "ufhook load report")
	assert.Contains(t, string(html), ">200<", "the page counts every delivery")

	// The same run in one process sends the same payloads.
	whole := hooktest.NewRecorder()
	srv2 := httptest.NewServer(whole)
	t.Cleanup(srv2.Close)
	emitArgs[4] = srv2.URL
	one := exec.CommandContext(ctx, bin, append(emitArgs, "-q")...)
	out, err = one.CombinedOutput()
	require.NoError(t, err, "the run in one piece: %s", out)
	require.Equal(t, total, whole.Len())
	assert.Equal(t, payloadKeys(whole), sharded, "the shards sent the payloads of the run in one piece, each once")
}
