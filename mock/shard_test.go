package mock

import (
	"context"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
)

func TestShardShare(t *testing.T) {
	tests := []struct {
		shard Shard
		n     int
		want  int
	}{
		{shard: Shard{}, n: 10, want: 10},
		{shard: Shard{Index: 0, Count: 1}, n: 10, want: 10},
		{shard: Shard{Index: 0, Count: 4}, n: 10, want: 3}, // 0 4 8
		{shard: Shard{Index: 1, Count: 4}, n: 10, want: 3}, // 1 5 9
		{shard: Shard{Index: 2, Count: 4}, n: 10, want: 2}, // 2 6
		{shard: Shard{Index: 3, Count: 4}, n: 10, want: 2}, // 3 7
		{shard: Shard{Index: 3, Count: 4}, n: 3, want: 0},
		{shard: Shard{Index: 2, Count: 4}, n: 3, want: 1},
		{shard: Shard{Index: 0, Count: 4}, n: 0, want: 0},
	}
	for _, tc := range tests {
		got := tc.shard.Share(tc.n)
		assert.Equal(t, tc.want, got, "%+v of %d", tc.shard, tc.n)
		owned := 0
		for i := range tc.n {
			if tc.shard.Owns(i) {
				owned++
			}
		}
		assert.Equal(t, owned, got, "Share counts what Owns says, %+v of %d", tc.shard, tc.n)
	}
}

// TestShardsMakeTheWholeRunOnce: four shards, in either model, make
// disjoint parts of the run that together are every delivery once, each
// with the event it has in the whole run.
func TestShardsMakeTheWholeRunOnce(t *testing.T) {
	t.Parallel()
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest, Concurrency: 4})
	events := catalog(t)
	now := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	o := Open{Rate: Rate{400, 400}, Duration: 100 * time.Millisecond}
	for _, model := range []string{"closed", "open"} {
		t.Run(model, func(t *testing.T) {
			const n, shards = 40, 4
			var mu sync.Mutex
			var got []int
			for k := range shards {
				b := Batch{Events: events, Count: n, Seed: 7, Now: now, Shard: Shard{Index: k, Count: shards}}
				each := func(i int, r Report) {
					assert.Equal(t, k, i%shards, "shard %d makes only its own deliveries", k)
					assert.Equal(t, events[i%len(events)].Name, r.Event, "delivery %d carries its event of the whole run", i)
					mu.Lock()
					got = append(got, i)
					mu.Unlock()
				}
				var sum Summary
				var err error
				if model == "open" {
					sum, err = e.Load(context.Background(), b, o, each)
				} else {
					sum, err = e.Run(context.Background(), b, each)
				}
				require.NoError(t, err)
				assert.Equal(t, n/shards, sum.Sent)
				assert.Zero(t, sum.Failed+sum.Skipped)
			}
			sort.Ints(got)
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, got, "every delivery once")
		})
	}
}

func TestShardRefusesABadOne(t *testing.T) {
	e := newEmitter(t, Config{Target: "http://127.0.0.1:1", Mode: gen.ModeTest})
	for _, s := range []Shard{{Index: 4, Count: 4}, {Index: -1, Count: 2}, {Index: 1, Count: 0}, {Index: 0, Count: -1}} {
		_, err := e.Run(context.Background(), Batch{Events: catalog(t), Count: 4, Shard: s}, nil)
		require.ErrorIs(t, err, ErrBadConfig, "%+v", s)
		assert.Contains(t, err.Error(), "0 ≤ index < count")
	}
}
