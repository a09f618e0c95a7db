package mock

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ufhook/ufhook/loadreport"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// Batch is a run of deliveries for Emitter.Run.
type Batch struct {
	// Events are delivered in turn: delivery i sends Events[i%len(Events)].
	// They come from openapi.Lookup or openapi.Events.
	Events []openapi.Event
	// Count is the number of deliveries; 0 means one per event.
	Count int
	// Seed fixes the payloads: delivery i is the payload of
	// fake.Options{Seed: Seed+i, Now: Now}, so `ufhook example EVENT --seed
	// Seed+i` prints it again, but for the timestamps that lead up to the
	// time of sending (a created record's createdAt).
	Seed uint64
	// Now is the time the payloads say they are sent (fake.Options.Now);
	// zero means the moment each payload is built.
	Now time.Time
	// Shape is the payloads' shape.
	Shape fake.Shape
	// Sets are overrides (see fake.Override) applied to every payload.
	Sets []string
	// Body, if not nil, is sent (with Sets applied) instead of generated
	// payloads.
	Body []byte
	// NoValidate skips checking overridden or fixed bodies against the
	// spec. Generated payloads are valid by construction (the tests check
	// it) and are never validated in the hot path.
	NoValidate bool
	// Shard, when its Count is not 0, makes this run one part of a run
	// spread over several processes or machines: see Shard.
	Shard Shard
}

// Shard is one part of a run spread over Count processes or machines, each
// given the same Batch (Seed included) and schedule: shard Index (from 0,
// as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) makes the deliveries
// of the whole run whose index i has i % Count == Index, each with the
// payload and event it has in the whole run (seed Seed+i) and, in the open
// model, due when it is due in the whole run. The shards thus make
// disjoint parts that together are the whole run, each at 1/Count of the
// rate. Batch.Count is the whole run's count. The zero Shard is the whole
// run.
type Shard struct {
	Index, Count int
}

// Owns reports whether delivery i of the whole run is the shard's.
func (s Shard) Owns(i int) bool { return s.Count == 0 || i%s.Count == s.Index }

// Share returns how many of the whole run's first n deliveries are the
// shard's.
func (s Shard) Share(n int) int {
	if s.Count == 0 {
		return n
	}
	if n <= s.Index {
		return 0
	}
	return (n-s.Index-1)/s.Count + 1
}

// first and step are the whole run's index of the shard's first delivery
// and the distance between two of its deliveries.
func (s Shard) first() int { return s.Index }
func (s Shard) step() int  { return max(s.Count, 1) }

// check refuses an impossible shard with ErrBadConfig.
func (s Shard) check() error {
	if s.Count < 0 || s.Index < 0 || s.Count > 0 && s.Index >= s.Count || s.Count == 0 && s.Index != 0 {
		return fmt.Errorf("%w: shard %d of %d: give 0 ≤ index < count, such as shard 0 of 4", ErrBadConfig, s.Index, s.Count)
	}
	return nil
}

// Summary totals a Run or a Load.
type Summary struct {
	// Sent counts the deliveries answered 2xx; Failed those that were not;
	// Skipped those never started because the context was cancelled.
	Sent, Failed, Skipped int
	// Attempts counts every HTTP attempt, retries included.
	Attempts int
	// P50 and P99 are percentiles of the deliveries' latency: of their last
	// attempt for Run, from their scheduled time for Load. They come from
	// Recorder's HDR histogram (three significant figures).
	P50, P99 time.Duration
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Waited counts, for Load, the deliveries that were due while
	// Open.MaxInFlight deliveries were under way: each waited for one of
	// them to end, and its latency, counted from its scheduled time,
	// includes the wait. None is dropped. Always 0 for Run.
	Waited int
	// Recorder holds the run's histograms (overall, per event, per second)
	// and its counts by status and kind of error; it is never nil once Run
	// or Load returned without error. Figures reads it; its Results makes
	// the result file's content.
	Recorder *loadreport.Recorder
}

// Figures returns the run's full figures: the Recorder's summary (p50 to
// p99.9 and max, overall and per event, statuses, retries, errors by kind)
// completed with Skipped, Waited, the elapsed time and the throughput.
func (s Summary) Figures() loadreport.Summary {
	if s.Recorder == nil {
		return loadreport.Summary{}
	}
	f := s.Recorder.Summary()
	f.Skipped, f.Waited = int64(s.Skipped), int64(s.Waited)
	f.SetElapsed(s.Elapsed)
	return f
}

// Rate returns deliveries (sent or failed) per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Sent+s.Failed) / s.Elapsed.Seconds()
}

// Run makes b.Count deliveries, Config.Concurrency at a time, and calls each
// (never concurrently) with every delivery's index and report as it ends.
// Before sending anything it builds the first payload of every event and
// checks it against the spec (unless b.NoValidate), so that a bad override
// or body is refused up front: it then returns an error wrapping
// fake.ErrBadOverride, openapi.ErrInvalidPayload, openapi.ErrMalformedJSON,
// openapi.ErrUnknownEvent, fake.ErrUnknownShape or ErrBadConfig, and sends
// nothing. Cancelling ctx stops the run: deliveries under way end as
// cancelled, the rest are skipped. With b.Shard, Run makes the shard's
// part of the b.Count deliveries (see Shard), Config.Concurrency at a time.
func (e *Emitter) Run(ctx context.Context, b Batch, each func(i int, r Report)) (Summary, error) {
	b, err := e.check(b)
	if err != nil {
		return Summary{}, err
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	t := newTally(each)
	start := time.Now()
	validate := !b.NoValidate && (b.Body != nil || len(b.Sets) > 0)
	share := b.Shard.Share(b.Count)
	for range min(e.cfg.Concurrency, share) {
		wg.Go(func() {
			f := fake.New(0)
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= share {
					return
				}
				i := b.Shard.first() + k*b.Shard.step()
				at := time.Since(start)
				r := e.deliver(ctx, f, b, i, validate)
				t.add(i, r, at, r.Latency)
			}
		})
	}
	wg.Wait()
	return t.finish(start, share), nil
}

// check refuses a batch that cannot be sent, before anything is: see Run.
// It returns b with Count filled in.
func (e *Emitter) check(b Batch) (Batch, error) {
	if len(b.Events) == 0 {
		return b, fmt.Errorf("%w: no events to send; name some or use all of %v", ErrBadConfig, openapi.Names())
	}
	if b.Count < 0 {
		return b, fmt.Errorf("%w: count %d is negative", ErrBadConfig, b.Count)
	}
	if b.Count == 0 {
		b.Count = len(b.Events)
	}
	if err := b.Shard.check(); err != nil {
		return b, err
	}
	for i, ev := range b.Events {
		if i >= b.Count {
			break
		}
		if _, err := e.payload(fake.New(0), b, i, ev, !b.NoValidate); err != nil {
			return b, err
		}
		if e.routes[ev.Name] == nil {
			return b, e.noURL(ev)
		}
	}
	return b, nil
}

// deliver builds delivery i's payload with f and sends it.
func (e *Emitter) deliver(ctx context.Context, f *fake.Faker, b Batch, i int, validate bool) Report {
	ev := b.Events[i%len(b.Events)]
	body, err := e.payload(f, b, i, ev, validate)
	if err != nil {
		return Report{Event: ev.Name, URL: e.URL(ev), Err: err}
	}
	return e.Send(ctx, ev, body)
}

// tally sums the deliveries of a run and hands each to the caller's
// function, one at a time.
type tally struct {
	mu   sync.Mutex
	sum  Summary
	each func(i int, r Report)
}

func newTally(each func(i int, r Report)) *tally {
	return &tally{each: each, sum: Summary{Recorder: loadreport.NewRecorder()}}
}

// add counts delivery i, due at at from the start of the run, whose
// latency is latency.
func (t *tally) add(i int, r Report, at, latency time.Duration) {
	t.sum.Recorder.Record(loadreport.Delivery{Event: r.Event, At: at, Latency: latency, Status: r.Status,
		Attempts: len(r.Attempts), OK: r.OK(), Kind: ErrorKind(r.Err)})
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.OK() {
		t.sum.Sent++
	} else {
		t.sum.Failed++
	}
	t.sum.Attempts += len(r.Attempts)
	if t.each != nil {
		t.each(i, r)
	}
}

// finish returns the summary of a run that started at start and had count
// deliveries to make.
func (t *tally) finish(start time.Time, count int) Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sum
	s.Elapsed = time.Since(start)
	s.Skipped = count - s.Sent - s.Failed
	f := s.Recorder.Summary()
	s.P50, s.P99 = loadreport.Duration(f.Latency.P50Ms), loadreport.Duration(f.Latency.P99Ms)
	return s
}

// payload builds delivery i's body.
func (e *Emitter) payload(f *fake.Faker, b Batch, i int, ev openapi.Event, validate bool) ([]byte, error) {
	body := b.Body
	if body == nil {
		f.Reset(b.Seed + uint64(i))
		now := b.Now
		if now.IsZero() {
			now = time.Now()
		}
		f.SetNow(now)
		var err error
		if body, err = f.Payload(ev, e.cfg.Mode, b.Shape); err != nil {
			return nil, err
		}
	}
	body, err := fake.Override(body, b.Sets)
	if err != nil {
		return nil, err
	}
	if validate {
		if err := openapi.Validate(ev, body); err != nil {
			return nil, fmt.Errorf("delivery %d: %w (fix the override or body, or send it anyway with --no-validate)", i, err)
		}
	}
	return body, nil
}
