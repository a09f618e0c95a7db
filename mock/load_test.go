package mock

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/loadreport"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		wantErr string
	}{
		{in: "200/s", want: Rate{200, 200}},
		{in: "600/m", want: Rate{10, 10}},
		{in: "0.5/s", want: Rate{0.5, 0.5}},
		{in: "100/s:1000/s", want: Rate{100, 1000}},
		{in: "0/s:60/m", want: Rate{0, 1}},
		{in: "1000/s:100/s", want: Rate{1000, 100}},
		{in: "0/s", wantErr: "is zero"},
		{in: "abc", wantErr: "has no unit"},
		{in: "abc/s", wantErr: "not a positive number"},
		{in: "-5/s", wantErr: "not a positive number"},
		{in: "10/h", wantErr: "only /s and /m"},
		{in: "10", wantErr: "has no unit"},
		{in: "0/s:0/m", wantErr: "stays at zero"},
		{in: "100/s:", wantErr: "has no unit"},
		{in: "NaN/s", wantErr: "not a positive number"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRate(tc.in)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrBadConfig)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "such as", "the error says what to write")
				return
			}
			require.NoError(t, err)
			assert.InDelta(t, tc.want.From, got.From, 1e-9)
			assert.InDelta(t, tc.want.To, got.To, 1e-9)
			again, err := ParseRate(got.String())
			require.NoError(t, err, "String reads back")
			assert.InDelta(t, got.From, again.From, 1e-9)
		})
	}
}

// TestOpenSchedule checks the arrival times: a fixed rate is evenly spaced,
// a ramp puts more arrivals in its second half when rising, fewer when
// falling, and every schedule rises and stays within the duration.
func TestOpenSchedule(t *testing.T) {
	tests := []struct {
		name          string
		open          Open
		arrivals      int
		firstHalfLess bool
	}{
		{name: "fixed", open: Open{Rate: Rate{200, 200}, Duration: time.Second}, arrivals: 200},
		{name: "per minute", open: Open{Rate: Rate{1, 1}, Duration: 90 * time.Second}, arrivals: 90},
		{name: "fraction rounds up", open: Open{Rate: Rate{3, 3}, Duration: 1500 * time.Millisecond}, arrivals: 5},
		{name: "ramp up", open: Open{Rate: Rate{100, 1000}, Duration: 2 * time.Second}, arrivals: 1100, firstHalfLess: true},
		{name: "ramp from zero", open: Open{Rate: Rate{0, 400}, Duration: time.Second}, arrivals: 200, firstHalfLess: true},
		{name: "ramp down", open: Open{Rate: Rate{1000, 100}, Duration: 2 * time.Second}, arrivals: 1100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.open
			require.Equal(t, tc.arrivals, o.Arrivals())
			var first, second int
			prev := time.Duration(-1)
			for i := range o.Arrivals() {
				due := o.Due(i)
				require.Greater(t, due, prev, "arrival %d comes after %d", i, i-1)
				require.Less(t, due, o.Duration, "arrival %d is within the run", i)
				prev = due
				if due < o.Duration/2 {
					first++
				} else {
					second++
				}
			}
			assert.Zero(t, o.Due(0), "the first delivery is due at once")
			if !o.Rate.Ramp() {
				assert.InDelta(t, float64(time.Second)/o.Rate.From, float64(o.Due(1)), float64(time.Microsecond))
				assert.InDelta(t, first, second, 1)
				return
			}
			// Rising from r0 to r1, the halves hold (3r0+r1)/8 and (r0+3r1)/8
			// of the duration's seconds.
			d := o.Duration.Seconds()
			assert.InDelta(t, d*(3*o.Rate.From+o.Rate.To)/8, first, 1)
			assert.InDelta(t, d*(o.Rate.From+3*o.Rate.To)/8, second, 1)
			assert.Equal(t, tc.firstHalfLess, first < second)
		})
	}
}

// counter is a receiver that counts requests, the most in flight at once,
// and when each arrived; it waits hold before answering 204.
type counter struct {
	hold     time.Duration
	start    time.Time
	mu       sync.Mutex
	arrivals []time.Duration
	inFlight atomic.Int64
	most     atomic.Int64
}

func (c *counter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	c.mu.Lock()
	c.arrivals = append(c.arrivals, time.Since(c.start))
	c.mu.Unlock()
	time.Sleep(c.hold)
	w.WriteHeader(http.StatusNoContent)
}

// TestLoadHoldsAFixedRate: 200/s for one second makes 200 deliveries, of the
// seeded stream, spread over the second rather than sent at once.
func TestLoadHoldsAFixedRate(t *testing.T) {
	t.Parallel()
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest})
	events := catalog(t)
	now := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	o := Open{Rate: Rate{200, 200}, Duration: time.Second}
	got := map[int]Report{}
	sum, err := e.Load(context.Background(), Batch{Events: events, Seed: 7, Now: now}, o, func(i int, r Report) { got[i] = r })
	require.NoError(t, err)
	assert.InDelta(t, 200, sum.Sent, 10, "rate × duration, within 5%")
	assert.Equal(t, 200, sum.Sent, "every scheduled delivery is made")
	assert.Equal(t, 200, rec.Len())
	assert.Zero(t, sum.Failed+sum.Skipped+sum.Waited)
	assert.GreaterOrEqual(t, sum.Elapsed, o.Due(199), "the last delivery waits for its time")
	fig := sum.Figures()
	assert.Equal(t, int64(200), fig.Latency.Count)
	assert.Equal(t, map[string]int64{"200": 200}, fig.Statuses)
	assert.Empty(t, fig.Errors)
	assert.Zero(t, fig.Retries)
	assert.Len(t, fig.Events, len(events))
	bodies := map[string]bool{}
	for _, r := range rec.Requests() {
		bodies[string(r.Body)] = true
	}
	require.Len(t, got, 200)
	for _, i := range []int{0, 1, 99, 199} {
		ev := events[i%len(events)]
		assert.Equal(t, ev.Name, got[i].Event)
		want, err := fake.Payload(ev, fake.Options{Seed: 7 + uint64(i), Mode: gen.ModeTest, Now: now})
		require.NoError(t, err)
		assert.True(t, bodies[string(want)], "delivery %d is the payload of seed 7+%d", i, i)
	}
}

// stallingReceiver answers one request at a time, as a single-threaded
// receiver does, and stalls for a second on its request number stallAt.
type stallingReceiver struct {
	mu      sync.Mutex
	n       int
	stallAt int
}

func (s *stallingReceiver) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.stallAt {
		time.Sleep(time.Second)
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestStallShowsInP99 is the issue's "a run at a fixed rate against a
// receiver that stalls for one second shows the stall in p99": latency runs
// from each delivery's scheduled time, so the deliveries due during the
// stall all wait, and p99 is near a second. The closed model, which waits
// for the receiver before sending the next, sees one slow delivery of 200
// and a small p99: the coordinated omission that the open model avoids.
func TestStallShowsInP99(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		serial   bool // the receiver answers one at a time
		inFlight int
	}{
		{name: "single-threaded receiver", serial: true},
		{name: "max in flight 1", inFlight: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var h http.Handler = &stallingReceiver{stallAt: 20}
			if !tc.serial {
				h = stallOnce(20)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest})
			b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}}
			sum, err := e.Load(context.Background(), b, Open{Rate: Rate{200, 200}, Duration: time.Second, MaxInFlight: tc.inFlight}, nil)
			require.NoError(t, err)
			assert.Equal(t, 200, sum.Sent)
			fig := sum.Figures()
			assert.GreaterOrEqual(t, sum.P99, 900*time.Millisecond, "the stall shows in p99: %+v", fig.Latency)
			assert.GreaterOrEqual(t, fig.Latency.MaxMs, 990.0)
			if tc.inFlight == 1 {
				assert.Positive(t, sum.Waited, "deliveries due during the stall waited for a slot")
			}
		})
	}
	t.Run("closed model hides it", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(&stallingReceiver{stallAt: 20})
		defer srv.Close()
		e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest, Concurrency: 1})
		b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Count: 200}
		sum, err := e.Run(context.Background(), b, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, sum.Sent)
		assert.GreaterOrEqual(t, sum.Figures().Latency.MaxMs, 990.0, "the stall is there")
		assert.Less(t, sum.P99, 500*time.Millisecond, "but not in p99")
	})
}

// stallOnce answers 204 at once but for its request number n, which it
// holds for a second.
func stallOnce(n int64) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if count.Add(1) == n {
			time.Sleep(time.Second)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// TestLoadRampSendsMoreLater: a ramp from 50/s to 350/s over a second
// schedules 63 deliveries in its first half and 137 in its second, and the
// receiver sees more in the second.
func TestLoadRampSendsMoreLater(t *testing.T) {
	t.Parallel()
	c := &counter{start: time.Now()}
	srv := httptest.NewServer(c)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest})
	b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}}
	o := Open{Rate: Rate{50, 350}, Duration: time.Second}
	var first, second int
	for i := range o.Arrivals() {
		if o.Due(i) < o.Duration/2 {
			first++
		} else {
			second++
		}
	}
	assert.Equal(t, 63, first)
	assert.Equal(t, 137, second)
	c.start = time.Now()
	sum, err := e.Load(context.Background(), b, o, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, sum.Sent)
	c.mu.Lock()
	arrivals := c.arrivals
	c.mu.Unlock()
	require.Len(t, arrivals, 200)
	mid := arrivals[0] + o.Duration/2
	var early int
	for _, at := range arrivals {
		if at < mid {
			early++
		}
	}
	assert.Less(t, early, 100, "fewer than half arrive in the first half (%d)", early)
}

// TestLoadMaxInFlight: with a receiver that holds each request, never more
// than MaxInFlight are under way at once, none is dropped, and those that
// waited are counted.
func TestLoadMaxInFlight(t *testing.T) {
	t.Parallel()
	c := &counter{hold: 20 * time.Millisecond, start: time.Now()}
	srv := httptest.NewServer(c)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest})
	b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}}
	sum, err := e.Load(context.Background(), b, Open{Rate: Rate{400, 400}, Duration: 250 * time.Millisecond, MaxInFlight: 5}, nil)
	require.NoError(t, err)
	assert.Equal(t, 100, sum.Sent, "none is dropped")
	assert.LessOrEqual(t, c.most.Load(), int64(5), "never more than 5 in flight")
	assert.GreaterOrEqual(t, c.most.Load(), int64(2), "more than one at a time")
	assert.Positive(t, sum.Waited)
	assert.Equal(t, int64(sum.Waited), sum.Figures().Waited)
}

// TestLoadCountsErrorsByKind: failed deliveries are counted by kind and
// status, retries apart.
func TestLoadCountsErrorsByKind(t *testing.T) {
	t.Parallel()
	unavailable := hooktest.NewRecorder()
	unavailable.SetStatus(http.StatusServiceUnavailable)
	down := httptest.NewServer(unavailable)
	defer down.Close()
	moved := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	defer moved.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	tests := []struct {
		name      string
		target    string
		retries   int
		kind      string
		statuses  map[string]int64
		wantRetry int64
	}{
		{name: "503", target: down.URL, retries: 1, kind: loadreport.KindRejected, statuses: map[string]int64{"503": 10}, wantRetry: 10},
		{name: "closed port", target: closed, kind: loadreport.KindRefused, statuses: map[string]int64{}},
		{name: "redirect", target: moved.URL, kind: loadreport.KindRedirect, statuses: map[string]int64{"302": 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmitter(t, Config{Target: tc.target, Mode: gen.ModeTest, Retry: RetryPolicy{Retries: tc.retries, Base: time.Millisecond, Max: time.Millisecond}})
			b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Count: 10}
			sum, err := e.Load(context.Background(), b, Open{Rate: Rate{100, 100}}, nil)
			require.NoError(t, err)
			assert.Equal(t, 10, sum.Failed)
			fig := sum.Figures()
			assert.Equal(t, map[string]int64{tc.kind: 10}, fig.Errors)
			assert.Equal(t, tc.statuses, fig.Statuses)
			assert.Equal(t, tc.wantRetry, fig.Retries)
			assert.Equal(t, int64(10), fig.Latency.Count, "failed deliveries have a latency too")
		})
	}
}

func TestErrorKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ErrTimeout, loadreport.KindTimeout},
		{ErrTLS, loadreport.KindTLS},
		{ErrCancelled, loadreport.KindCancelled},
		{context.Canceled, loadreport.KindCancelled},
		{ErrRejected, loadreport.KindRejected},
		{ErrRedirect, loadreport.KindRedirect},
		{&net.OpError{Op: "read", Err: net.UnknownNetworkError("x")}, loadreport.KindNetwork},
		{fake.ErrBadOverride, loadreport.KindOther},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ErrorKind(tc.err), "%v", tc.err)
	}
}

// TestLoadCancelStopsCleanly: cancelling stops the schedule; what was not
// started is skipped, and every delivery is accounted for once.
func TestLoadCancelStopsCleanly(t *testing.T) {
	t.Parallel()
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Mode: gen.ModeTest})
	ctx, cancel := context.WithCancel(context.Background())
	b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}}
	sum, err := e.Load(ctx, b, Open{Rate: Rate{20, 20}, Duration: 10 * time.Second}, func(i int, _ Report) {
		if i == 2 {
			cancel()
		}
	})
	require.NoError(t, err)
	assert.Equal(t, 200, sum.Sent+sum.Failed+sum.Skipped)
	assert.Positive(t, sum.Skipped)
	assert.Less(t, sum.Sent, 10)
}

// TestLoadSignsEveryDelivery: the open model signs as Send does, one
// message id per delivery.
func TestLoadSignsEveryDelivery(t *testing.T) {
	t.Parallel()
	scheme, err := signature.Lookup(signature.StandardWebhooks)
	require.NoError(t, err)
	signer, err := signature.NewSigner(scheme, stdSecret)
	require.NoError(t, err)
	verify := (&signature.Verifier{Scheme: scheme, Secrets: []string{stdSecret}}).Verify
	srv, seen := verifyingServer(t, verify, "")
	e := newEmitter(t, Config{Target: srv.URL, RootCAs: poolOf(srv), Signer: signer})
	b := Batch{Events: catalog(t), Count: 20}
	sum, err := e.Load(context.Background(), b, Open{Rate: Rate{200, 200}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 20, sum.Sent)
	ids := map[string]bool{}
	for _, a := range seen() {
		require.NoError(t, a.err)
		ids[a.header.Get(scheme.IDHeader)] = true
	}
	assert.Len(t, ids, 20, "one message id per delivery")
}

func TestLoadRefusesABadSchedule(t *testing.T) {
	e := newEmitter(t, Config{Target: "http://127.0.0.1:9", Mode: gen.ModeTest})
	b := Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}}
	tests := []struct {
		name  string
		open  Open
		count int
		want  string
	}{
		{name: "no rate", open: Open{Duration: time.Second}, want: "positive rate"},
		{name: "negative duration", open: Open{Rate: Rate{1, 1}, Duration: -time.Second}, want: "negative"},
		{name: "ramp without duration", open: Open{Rate: Rate{1, 10}}, count: 5, want: "needs a duration"},
		{name: "neither duration nor count", open: Open{Rate: Rate{1, 1}}, want: "duration (such as 30s) or a count"},
		{name: "negative max in flight", open: Open{Rate: Rate{1, 1}, Duration: time.Second, MaxInFlight: -1}, want: "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.Count = tc.count
			_, err := e.Load(context.Background(), b, tc.open, nil)
			require.ErrorIs(t, err, ErrBadConfig)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
