package mock

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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
}

// Summary totals a Run.
type Summary struct {
	// Sent counts the deliveries answered 2xx; Failed those that were not;
	// Skipped those never started because the context was cancelled.
	Sent, Failed, Skipped int
	// Attempts counts every HTTP attempt, retries included.
	Attempts int
	// P50 and P99 are percentiles of the deliveries' latency (of their last
	// attempt).
	P50, P99 time.Duration
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
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
// cancelled, the rest are skipped.
func (e *Emitter) Run(ctx context.Context, b Batch, each func(i int, r Report)) (Summary, error) {
	if len(b.Events) == 0 {
		return Summary{}, fmt.Errorf("%w: no events to send; name some or use all of %v", ErrBadConfig, openapi.Names())
	}
	if b.Count < 0 {
		return Summary{}, fmt.Errorf("%w: count %d is negative", ErrBadConfig, b.Count)
	}
	if b.Count == 0 {
		b.Count = len(b.Events)
	}
	for i, ev := range b.Events {
		if i >= b.Count {
			break
		}
		if _, err := e.payload(fake.New(0), b, i, ev, !b.NoValidate); err != nil {
			return Summary{}, err
		}
		if e.routes[ev.Name] == nil {
			return Summary{}, e.noURL(ev)
		}
	}

	var (
		next      atomic.Int64
		mu        sync.Mutex
		sum       Summary
		latencies = make([]time.Duration, 0, b.Count)
		wg        sync.WaitGroup
	)
	start := time.Now()
	validate := !b.NoValidate && (b.Body != nil || len(b.Sets) > 0)
	for range min(e.cfg.Concurrency, b.Count) {
		wg.Go(func() {
			f := fake.New(0)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= b.Count {
					return
				}
				ev := b.Events[i%len(b.Events)]
				var r Report
				body, err := e.payload(f, b, i, ev, validate)
				if err != nil {
					r = Report{Event: ev.Name, URL: e.URL(ev), Err: err}
				} else {
					r = e.Send(ctx, ev, body)
				}
				mu.Lock()
				if r.OK() {
					sum.Sent++
				} else {
					sum.Failed++
				}
				sum.Attempts += len(r.Attempts)
				latencies = append(latencies, r.Latency)
				if each != nil {
					each(i, r)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sum.Elapsed = time.Since(start)
	sum.Skipped = b.Count - sum.Sent - sum.Failed
	sortDurations(latencies)
	sum.P50, sum.P99 = percentile(latencies, 50), percentile(latencies, 99)
	return sum, nil
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
