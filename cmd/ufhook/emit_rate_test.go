package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/loadreport"
)

// TestEmitRateRefusesBadFlags: every bad combination of the load flags
// exits 2 with a message that says what to do, and sends nothing.
func TestEmitRateRefusesBadFlags(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "zero rate", args: []string{"--rate", "0/s", "--duration", "1s"}, want: "give a positive rate such as 200/s"},
		{name: "no unit", args: []string{"--rate", "abc", "--duration", "1s"}, want: "write N/s or N/m"},
		{name: "per hour", args: []string{"--rate", "10/h", "--duration", "1s"}, want: "only /s and /m"},
		{name: "empty rate", args: []string{"--rate", "", "--duration", "1s"}, want: "give an arrival rate"},
		{name: "ramp without duration", args: []string{"--rate", "10/s:100/s", "--count", "5"}, want: "give --duration for it to rise over"},
		{name: "negative duration", args: []string{"--rate", "10/s", "--duration", "-1s"}, want: "give a positive duration"},
		{name: "zero duration", args: []string{"--rate", "10/s", "--duration", "0s"}, want: "give a positive duration"},
		{name: "rate without end", args: []string{"--rate", "10/s"}, want: "needs --duration (such as 30s) or --count"},
		{name: "max in flight 0", args: []string{"--rate", "10/s", "--duration", "1s", "--max-in-flight", "0"}, want: "--max-in-flight 0: use 1 to"},
		{name: "rate and concurrency", args: []string{"--rate", "10/s", "--duration", "1s", "--concurrency", "4"}, want: "give one of them"},
		{name: "duration without rate", args: []string{"--duration", "1s"}, want: "--duration goes with --rate"},
		{name: "max in flight without rate", args: []string{"--max-in-flight", "4"}, want: "use --concurrency"},
		{name: "unwritable results", args: []string{"--results", filepath.Join(dir, "missing", "run.json")}, want: "existing directory that you can write to"},
		{name: "results is a directory", args: []string{"--rate", "10/s", "--count", "2", "--results", dir}, want: "give a file name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"emit", "user.created", "--target", srv.URL, "--token", emitToken}, tc.args...)
			code, _, stderr := runCLI(t, args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
	assert.Zero(t, rec.Len(), "nothing is sent")
}

// TestEmitRateRun: --rate 200/s for half a second makes 100 deliveries and
// prints the latency table before the summary line, whose form is the
// closed model's.
func TestEmitRateRun(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	code, out, stderr := runCLI(t, "emit", "user.created", "user.deleted", "--target", srv.URL, "--token", emitToken,
		"--rate", "200/s", "--duration", "500ms", "-q", "--seed", "3")
	require.Equal(t, exitOK, code, stderr)
	assert.InDelta(t, 100, rec.Len(), 5, "rate × duration, within 5%")
	assert.Equal(t, 100, rec.Len(), "every scheduled delivery is made")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6, out)
	assert.Regexp(t, `^latency\s+count\s+p50\s+p90\s+p99\s+p99\.9\s+max$`, lines[0])
	assert.Regexp(t, `^all\s+100\s`, lines[1])
	assert.Regexp(t, `^user\.created\s+50\s`, lines[2])
	assert.Regexp(t, `^user\.deleted\s+50\s`, lines[3])
	assert.Equal(t, "statuses: 200 ×100; retries: 0; failures: none", lines[4])
	assert.Regexp(t, `^100 sent, 0 failed, p50 \S+, p99 \S+, \d+ events/s \(100 attempts, 100 deliveries in \S+\)$`, lines[5])
	assert.NotContains(t, out+stderr, emitToken)
}

// TestEmitRateHeader: without -q the header names the schedule.
func TestEmitRateHeader(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	code, out, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
		"--rate", "6000/m", "--count", "5", "--max-in-flight", "3")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 5, rec.Len(), "--count bounds a rate run")
	assert.Contains(t, out, "rate 100/s for 50ms (5 deliveries, at most 3 in flight)")
	assert.Contains(t, out, "statuses: 200 ×5; retries: 0; failures: none")
}

// TestEmitRateJSONAndResults: --json's summary holds the HDR figures, and
// --results writes a file that Read reads back with the same figures and
// an exact histogram.
func TestEmitRateJSONAndResults(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		args     []string
		wantCode int
		model    string
		statuses map[string]int64
		errors   map[string]int64
	}{
		{name: "open", status: http.StatusOK, args: []string{"--rate", "100/s", "--count", "20"}, wantCode: exitOK, model: "open",
			statuses: map[string]int64{"200": 20}, errors: map[string]int64{}},
		{name: "open, 503", status: http.StatusServiceUnavailable, args: []string{"--rate", "100/s", "--count", "20", "--retries", "0"},
			wantCode: exitFailed, model: "open", statuses: map[string]int64{"503": 20}, errors: map[string]int64{loadreport.KindRejected: 20}},
		{name: "closed", status: http.StatusOK, args: []string{"--count", "20", "--concurrency", "4"}, wantCode: exitOK, model: "closed",
			statuses: map[string]int64{"200": 20}, errors: map[string]int64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := hooktest.NewRecorder()
			rec.SetStatus(tc.status)
			srv := httptest.NewServer(rec)
			defer srv.Close()
			path := filepath.Join(t.TempDir(), "run.json")
			args := append([]string{"emit", "--all", "--target", srv.URL, "--token", emitToken, "--json", "--seed", "11", "--results", path}, tc.args...)
			code, out, stderr := runCLI(t, args...)
			require.Equal(t, tc.wantCode, code, stderr)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, 21)
			var sum summaryLine
			require.NoError(t, json.Unmarshal([]byte(lines[20]), &sum))
			s := sum.Summary
			assert.Equal(t, tc.model, s.Model)
			assert.Equal(t, 20, s.Sent+s.Failed)
			assert.Equal(t, tc.statuses, s.Statuses)
			assert.Equal(t, tc.errors, s.Errors)
			assert.GreaterOrEqual(t, s.P999MS, s.P99MS)
			assert.GreaterOrEqual(t, s.MaxMS, s.P999MS)
			assert.GreaterOrEqual(t, s.P90MS, s.P50MS)
			assert.NotEmpty(t, s.Events)

			res, err := loadreport.Read(path)
			require.NoError(t, err)
			assert.Equal(t, loadreport.Version, res.Version)
			assert.Equal(t, tc.model, res.Settings.Model)
			assert.Equal(t, srv.URL, res.Settings.Target)
			require.NotNil(t, res.Settings.Seed)
			assert.Equal(t, uint64(11), *res.Settings.Seed)
			assert.Equal(t, 20, res.Settings.Count)
			assert.Equal(t, int64(20), res.Summary.Sent+res.Summary.Failed)
			assert.Equal(t, tc.statuses, res.Summary.Statuses)
			assert.Equal(t, s.P99MS, res.Summary.Latency.P99Ms, "the file and --json agree")
			h, err := res.Overall()
			require.NoError(t, err)
			assert.Equal(t, int64(20), h.TotalCount())
			assert.InDelta(t, s.MaxMS*1000, float64(h.Max()), float64(h.Max())/100+1)
			require.NotEmpty(t, res.Series)
			var n int64
			for _, sec := range res.Series {
				n += sec.Count
			}
			assert.Equal(t, int64(20), n, "the series counts every delivery once")
			if tc.model == "open" {
				assert.Equal(t, "100/s", res.Settings.Rate)
				assert.InDelta(t, 200, res.Settings.DurationMs, 1e-9, "--count 20 at 100/s")
			}
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.NotContains(t, string(data), emitToken)
		})
	}
}

// TestEmitRateResultsMaskTheKey: a key in the target's query is masked in
// the result file, as everywhere else.
func TestEmitRateResultsMaskTheKey(t *testing.T) {
	restoreSpec(t) // --spec and --auth install a catalog for the tests after
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "run.json")
	code, _, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL+"/hooks", "--token", emitToken, "--auth", "query:key",
		"--spec", "../../openapi/webhooks.yaml", "--rate", "50/s", "--count", "2", "--results", path, "-q")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, 2, rec.Len())
	assert.Equal(t, emitToken, rec.Requests()[0].URL.Query().Get("key"), "the key went in the query")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(data), emitToken)
	assert.Contains(t, string(data), fmt.Sprintf("%q", "user.created"))
}
