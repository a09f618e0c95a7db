package loadreport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorded returns a Recorder fed 1,000 deliveries over three seconds: two
// events, 1 ms to 1 s, one in ten failing: 99 with a 503 after a retry and
// one (number 500) with a timeout after four attempts.
func recorded() *Recorder {
	r := NewRecorder()
	for i := range 1000 {
		d := Delivery{Event: []string{"user.created", "user.deleted"}[i%2], At: time.Duration(i) * 3 * time.Millisecond,
			Latency: time.Duration(i+1) * time.Millisecond, Status: 200, Attempts: 1, OK: true}
		switch {
		case i == 500:
			d.Status, d.OK, d.Kind, d.Attempts = 0, false, KindTimeout, 4
		case i%10 == 0:
			d.Status, d.OK, d.Kind, d.Attempts = 503, false, KindRejected, 2
		}
		r.Record(d)
	}
	return r
}

func TestRecorderSummary(t *testing.T) {
	s := recorded().Summary()
	assert.Equal(t, int64(900), s.Sent)
	assert.Equal(t, int64(100), s.Failed)
	assert.Equal(t, int64(1000+99+3), s.Attempts)
	assert.Equal(t, int64(102), s.Retries)
	assert.Equal(t, map[string]int64{"200": 900, "503": 99}, s.Statuses, "the timeout has no status")
	assert.Equal(t, map[string]int64{KindRejected: 99, KindTimeout: 1}, s.Errors)
	assert.Equal(t, int64(1000), s.Latency.Count)
	// Latencies are 1..1000 ms: HDR's percentiles are within 0.1%.
	for _, c := range []struct{ got, want float64 }{
		{s.Latency.P50Ms, 500}, {s.Latency.P90Ms, 900}, {s.Latency.P99Ms, 990}, {s.Latency.P999Ms, 999}, {s.Latency.MaxMs, 1000},
	} {
		assert.InEpsilon(t, c.want, c.got, 0.002)
	}
	assert.Equal(t, []string{"user.created", "user.deleted"}, s.EventNames())
	assert.Equal(t, int64(500), s.Events["user.created"].Count)
	s.SetElapsed(2 * time.Second)
	assert.InDelta(t, 500, s.Throughput, 1e-9)
	assert.InDelta(t, 2000, s.ElapsedMs, 1e-9)
}

func TestMicrosClamps(t *testing.T) {
	r := NewRecorder()
	r.Record(Delivery{Event: "e", Latency: 0, OK: true})
	r.Record(Delivery{Event: "e", Latency: 2 * time.Hour, OK: true, At: -time.Second})
	s := r.Summary()
	assert.Equal(t, int64(2), s.Latency.Count, "out-of-range latencies are recorded, clamped")
	assert.InEpsilon(t, float64(time.Hour.Milliseconds()), s.Latency.MaxMs, 0.001)
}

// TestResultsRoundTrip: a result file written and read back holds the same
// settings, summary, series and histograms, exactly.
func TestResultsRoundTrip(t *testing.T) {
	r := recorded()
	seed := uint64(42)
	settings := Settings{Model: "open", Rate: "100/s:1000/s", RateFrom: 100, RateTo: 1000, DurationMs: 3000, MaxInFlight: 1000,
		Events: []string{"user.created", "user.deleted"}, Seed: &seed, Target: "https://example.com/hooks?key=ab…yz",
		Started: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)}
	sum := r.Summary()
	sum.SetElapsed(3 * time.Second)
	res, err := r.Results(settings, sum)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "run.json")
	require.NoError(t, CheckWritable(path))
	require.NoError(t, res.Write(path))

	got, err := Read(path)
	require.NoError(t, err)
	assert.Equal(t, Version, got.Version)
	assert.Equal(t, settings, got.Settings)
	assert.Equal(t, sum, got.Summary)
	require.Len(t, got.Series, 3, "three seconds")
	var total int64
	for i, s := range got.Series {
		assert.Equal(t, i, s.Second)
		total += s.Count
	}
	assert.Equal(t, int64(1000), total)
	assert.Equal(t, int64(334), got.Series[0].Count, "deliveries due at 0, 3, ..., 999 ms")

	overall, events := r.Histograms()
	h, err := got.Overall()
	require.NoError(t, err)
	assert.True(t, overall.Equals(h), "the overall histogram round-trips exactly")
	for name, want := range events {
		h, err := got.Event(name)
		require.NoError(t, err)
		assert.True(t, want.Equals(h), "the histogram of %s round-trips exactly", name)
	}
	_, err = got.Event("nope")
	require.ErrorIs(t, err, ErrBadResults)

	// The per-second histograms merge exactly into the overall count.
	merged := hdrhistogram.New(lowest, highest, secondFigures)
	for _, s := range got.Series {
		h, err := DecodeHistogram(s.Histogram)
		require.NoError(t, err)
		assert.Zero(t, merged.Merge(h))
	}
	assert.Equal(t, overall.TotalCount(), merged.TotalCount())

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestCheckWritableRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{name: "missing directory", path: filepath.Join(dir, "nope", "run.json"), want: "existing directory"},
		{name: "a directory", path: dir, want: "is a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckWritable(tc.path)
			require.ErrorIs(t, err, ErrUnwritable)
			assert.Contains(t, err.Error(), tc.want)
			res, rerr := recorded().Results(Settings{}, Summary{})
			require.NoError(t, rerr)
			require.ErrorIs(t, res.Write(tc.path), ErrUnwritable)
		})
	}
}

func TestReadRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	res, err := recorded().Results(Settings{Model: "closed"}, Summary{})
	require.NoError(t, err)
	good, err := json.Marshal(res)
	require.NoError(t, err)
	mutate := func(f func(*Results)) []byte {
		var r Results
		require.NoError(t, json.Unmarshal(good, &r))
		f(&r)
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{name: "not JSON", data: []byte("{"), want: "unexpected end"},
		{name: "version 2", data: mutate(func(r *Results) { r.Version = 2 }), want: "has version 2"},
		{name: "other encoding", data: mutate(func(r *Results) { r.Histograms.Encoding = "csv" }), want: "stores histograms"},
		{name: "bad histogram", data: mutate(func(r *Results) { r.Histograms.Overall = "bm90IGEgaGlzdG9ncmFt" }), want: "does not decode"},
		{name: "bad event histogram", data: mutate(func(r *Results) { r.Histograms.Events["user.created"] = "!" }), want: "does not decode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.json")
			require.NoError(t, os.WriteFile(path, tc.data, 0o644))
			_, err := Read(path)
			require.ErrorIs(t, err, ErrBadResults)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err = Read(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
