package loadreport

import (
	"path/filepath"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mergeStart = time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)

// delivery returns delivery i of a made-up run of 1,200 deliveries over
// four seconds at 300/s, of two events, with latencies spread from 1 ms to
// 4 s and one in ten failing.
func delivery(i int) Delivery {
	d := Delivery{Event: []string{"user.created", "user.deleted"}[i%2], At: time.Duration(i) * time.Second / 300,
		Latency: time.Duration((i*7919)%4000+1) * time.Millisecond, Status: 200, Attempts: 1, OK: true}
	if i%10 == 3 {
		d.Status, d.OK, d.Kind, d.Attempts = 503, false, KindRejected, 2
	}
	if i == 601 {
		d.Status, d.OK, d.Kind, d.Attempts = 0, false, KindTimeout, 3
	}
	return d
}

const mergeRun = 1200

// settings returns the settings of the made-up run, as shard index of
// count (count 0: the run in one piece).
func settings(index, count int) Settings {
	seed := uint64(42)
	return Settings{Model: "open", Rate: "300/s", RateFrom: 300, RateTo: 300, DurationMs: 4000, MaxInFlight: 1000,
		Events: []string{"user.created", "user.deleted"}, Seed: &seed, Target: "http://127.0.0.1:1/hooks",
		Started: mergeStart, ShardIndex: index, ShardCount: count}
}

// shardResults returns the result files of the made-up run made by count
// shards, shard k having started late[k] after the first (nil: at once).
func shardResults(t *testing.T, count int, late []time.Duration) []*Results {
	t.Helper()
	parts := make([]*Results, count)
	for k := range count {
		r := NewRecorder()
		for i := k; i < mergeRun; i += count {
			r.Record(delivery(i))
		}
		st := settings(k, count)
		if late != nil {
			st.Started = st.Started.Add(late[k])
		}
		sum := r.Summary()
		sum.Waited = int64(k)
		sum.SetElapsed(4*time.Second + time.Duration(k)*time.Millisecond)
		res, err := r.Results(st, sum)
		require.NoError(t, err)
		parts[k] = res
	}
	return parts
}

// wholeResults returns the made-up run's result file made by one machine.
func wholeResults(t *testing.T) *Results {
	t.Helper()
	r := NewRecorder()
	for i := range mergeRun {
		r.Record(delivery(i))
	}
	res, err := r.Results(settings(0, 0), r.Summary())
	require.NoError(t, err)
	return res
}

func decoded(t *testing.T, s string) *hdrhistogram.Histogram {
	t.Helper()
	h, err := DecodeHistogram(s)
	require.NoError(t, err)
	return h
}

// TestMergeIsExact: merging the shards' files gives the histograms,
// counts and series of the run made in one piece, exactly, whatever the
// number of shards.
func TestMergeIsExact(t *testing.T) {
	whole := wholeResults(t)
	for _, count := range []int{1, 2, 4, 7} {
		t.Run("shards "+string(rune('0'+count)), func(t *testing.T) {
			parts := shardResults(t, count, nil)
			got, err := Merge(parts...)
			require.NoError(t, err)
			assert.True(t, decoded(t, whole.Histograms.Overall).Equals(decoded(t, got.Histograms.Overall)),
				"the merged histogram is the histogram of every latency")
			require.Len(t, got.Histograms.Events, 2)
			for name, h := range whole.Histograms.Events {
				assert.True(t, decoded(t, h).Equals(decoded(t, got.Histograms.Events[name])), name)
			}
			want := whole.Summary
			assert.Equal(t, want.Latency, got.Summary.Latency, "figures read again from the merged histogram")
			assert.Equal(t, want.Events, got.Summary.Events)
			assert.Equal(t, want.Sent, got.Summary.Sent)
			assert.Equal(t, want.Failed, got.Summary.Failed)
			assert.Equal(t, want.Attempts, got.Summary.Attempts)
			assert.Equal(t, want.Retries, got.Summary.Retries)
			assert.Equal(t, want.Statuses, got.Summary.Statuses)
			assert.Equal(t, want.Errors, got.Summary.Errors)
			assert.Equal(t, int64(count*(count-1)/2), got.Summary.Waited, "waited is summed")
			assert.InDelta(t, 4000+float64(count-1), got.Summary.ElapsedMs, 1e-6, "from the first start to the last end")
			assert.InDelta(t, float64(mergeRun)/(got.Summary.ElapsedMs/1000), got.Summary.Throughput, 1e-6)

			require.Len(t, got.Series, len(whole.Series))
			for i, sec := range whole.Series {
				g := got.Series[i]
				assert.Equal(t, sec.Second, g.Second)
				assert.Equal(t, sec.Count, g.Count)
				assert.Equal(t, sec.Errors, g.Errors)
				assert.Equal(t, sec.P99Ms, g.P99Ms)
				assert.True(t, decoded(t, sec.Histogram).Equals(decoded(t, g.Histogram)), "second %d", sec.Second)
			}

			assert.Equal(t, count, got.Settings.Shards)
			assert.Zero(t, got.Settings.ShardCount, "the merge is the whole run")
			assert.Equal(t, mergeStart, got.Settings.Started)
			assert.Equal(t, whole.Settings.Events, got.Settings.Events)

			path := filepath.Join(t.TempDir(), "merged.json")
			require.NoError(t, got.Write(path))
			back, err := Read(path)
			require.NoError(t, err, "a merged file reads back")
			assert.Equal(t, got.Summary, back.Summary)
		})
	}
}

// TestMergeAlignsSeriesByWallClock: the series are merged by wall-clock
// second: a shard that started two seconds late has its seconds shifted
// by two, one that started 300 ms late keeps its own.
func TestMergeAlignsSeriesByWallClock(t *testing.T) {
	tests := []struct {
		name      string
		late      []time.Duration
		wantSecs  []int
		wantCount []int64
	}{
		{name: "together", late: []time.Duration{0, 0}, wantSecs: []int{0, 1, 2, 3}, wantCount: []int64{300, 300, 300, 300}},
		{name: "300ms late", late: []time.Duration{0, 300 * time.Millisecond}, wantSecs: []int{0, 1, 2, 3}, wantCount: []int64{300, 300, 300, 300}},
		{name: "2s late", late: []time.Duration{0, 2 * time.Second}, wantSecs: []int{0, 1, 2, 3, 4, 5}, wantCount: []int64{150, 150, 300, 300, 150, 150}},
		{name: "first is late", late: []time.Duration{2 * time.Second, 0}, wantSecs: []int{0, 1, 2, 3, 4, 5}, wantCount: []int64{150, 150, 300, 300, 150, 150}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Merge(shardResults(t, 2, tc.late)...)
			require.NoError(t, err)
			var secs []int
			var counts []int64
			for _, s := range got.Series {
				secs = append(secs, s.Second)
				counts = append(counts, s.Count)
				assert.Equal(t, s.Count, decoded(t, s.Histogram).TotalCount())
			}
			assert.Equal(t, tc.wantSecs, secs)
			assert.Equal(t, tc.wantCount, counts)
			assert.Equal(t, mergeStart, got.Settings.Started, "the earliest start")
			// Shard k ran 4 s + k ms from its start: the run ends with the
			// last to end.
			end := max(tc.late[0]+4*time.Second, tc.late[1]+4*time.Second+time.Millisecond)
			assert.InDelta(t, float64(end.Milliseconds()), got.Summary.ElapsedMs, 1e-6)
		})
	}
}

// TestMergeRefuses: files that are not every shard of one run once, or
// that are bad, are refused with an error that says what is wrong and
// what to do.
func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		parts  func(t *testing.T) []*Results
		target error
		want   []string
	}{
		{name: "none", parts: func(*testing.T) []*Results { return nil }, target: ErrShards, want: []string{"give every shard's file"}},
		{name: "one missing", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 4, nil)
			return []*Results{p[0], p[1], p[3]}
		}, target: ErrShards, want: []string{"shard 2 of 4 is missing", "from shard 0 to shard 3"}},
		{name: "two missing", parts: func(t *testing.T) []*Results { return shardResults(t, 4, nil)[1:3] },
			target: ErrShards, want: []string{"shards 0, 3 of 4 are missing"}},
		{name: "duplicate", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 4, nil)
			return []*Results{p[0], p[1], p[2], p[3], p[1]}
		}, target: ErrShards, want: []string{"shard 1 given more than once", "once"}},
		{name: "not a shard", parts: func(t *testing.T) []*Results {
			return append(shardResults(t, 2, nil), wholeResults(t))
		}, target: ErrShards, want: []string{"3rd file is of a run in one piece", "emit --shard I/N"}},
		{name: "already merged", parts: func(t *testing.T) []*Results {
			m, err := Merge(shardResults(t, 2, nil)...)
			require.NoError(t, err)
			return []*Results{m}
		}, target: ErrShards, want: []string{"1st file is already a merge of 2 shards"}},
		{name: "other seed", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			seed := uint64(43)
			p[1].Settings.Seed = &seed
			return p
		}, target: ErrNotOneRun, want: []string{"differ in seed (42 and 43)", "same flags"}},
		{name: "fixed body and seed", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Settings.Seed = nil
			return p
		}, target: ErrNotOneRun, want: []string{"seed (42 and none (a fixed body))"}},
		{name: "other rate", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Settings.RateFrom, p[1].Settings.RateTo = 100, 1000
			return p
		}, target: ErrNotOneRun, want: []string{"rate (300/s and 100/s:1000/s)"}},
		{name: "other duration", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[0].Settings.DurationMs = 1000
			return p
		}, target: ErrNotOneRun, want: []string{"duration (1s and 4s)"}},
		{name: "other shard count", parts: func(t *testing.T) []*Results {
			return append(shardResults(t, 2, nil), shardResults(t, 3, nil)[2])
		}, target: ErrNotOneRun, want: []string{"shard count (2 and 3)"}},
		{name: "other events", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Settings.Events = []string{"user.created"}
			return p
		}, target: ErrNotOneRun, want: []string{"events (user.created,user.deleted and user.created)"}},
		{name: "shard out of range", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Settings.ShardIndex = 2
			return p
		}, target: ErrBadResults, want: []string{"shard 2 of 2, which does not exist"}},
		{name: "no start", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Settings.Started = time.Time{}
			return p
		}, target: ErrBadResults, want: []string{"no start time"}},
		{name: "bad histogram", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[1].Histograms.Overall = "not a histogram"
			return p
		}, target: ErrBadResults, want: []string{"shard 1", "does not decode"}},
		{name: "bad second", parts: func(t *testing.T) []*Results {
			p := shardResults(t, 2, nil)
			p[0].Series[1].Histogram = "HISTFAAAA"
			return p
		}, target: ErrBadResults, want: []string{"shard 0: second 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Merge(tc.parts(t)...)
			require.ErrorIs(t, err, tc.target)
			assert.Nil(t, got)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		assert.Equal(t, want, ordinal(n))
	}
}
