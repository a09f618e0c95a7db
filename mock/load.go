package mock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ufhook/ufhook/loadreport"
	"github.com/ufhook/ufhook/mock/fake"
)

// DefaultMaxInFlight is Open.MaxInFlight's default: the deliveries of an
// open-model run under way at once.
const DefaultMaxInFlight = 1000

// Rate is an arrival rate in deliveries per second: From at the start of the
// run and To at its end, rising (or falling) linearly in between. A fixed
// rate has From == To.
type Rate struct {
	From, To float64
}

// ParseRate parses a rate: "N/s" or "N/m" (N per second or per minute, N a
// positive number such as 200 or 0.5) for a fixed rate, or "A:B" with A and
// B such rates for a linear ramp from A to B (A may be 0, as in
// "0/s:1000/s"). It errors with ErrBadConfig, saying what to write instead.
func ParseRate(s string) (Rate, error) {
	from, to, ramp := strings.Cut(s, ":")
	a, err := parseOneRate(from)
	if err != nil {
		return Rate{}, err
	}
	if !ramp {
		if a == 0 {
			return Rate{}, fmt.Errorf("%w: rate %q is zero; give a positive rate such as 200/s or 600/m", ErrBadConfig, s)
		}
		return Rate{From: a, To: a}, nil
	}
	b, err := parseOneRate(to)
	if err != nil {
		return Rate{}, err
	}
	if a == 0 && b == 0 {
		return Rate{}, fmt.Errorf("%w: ramp %q stays at zero; give a ramp such as 100/s:1000/s", ErrBadConfig, s)
	}
	return Rate{From: a, To: b}, nil
}

// parseOneRate parses "N/s" or "N/m", N zero or more: zero is allowed at
// one end of a ramp only, which ParseRate checks.
func parseOneRate(s string) (float64, error) {
	const how = "write N/s or N/m, such as 200/s or 600/m, or a ramp A:B such as 100/s:1000/s"
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("%w: rate %q has no unit: %s", ErrBadConfig, s, how)
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
		return 0, fmt.Errorf("%w: rate %q is not a positive number per unit: %s", ErrBadConfig, s, how)
	}
	switch unit {
	case "s":
		return n, nil
	case "m":
		return n / 60, nil
	}
	return 0, fmt.Errorf("%w: rate %q has unit /%s, while only /s and /m are known: %s", ErrBadConfig, s, unit, how)
}

// Ramp reports whether the rate changes over the run.
func (r Rate) Ramp() bool { return r.From != r.To }

// String returns the rate as ParseRate reads it, per second.
func (r Rate) String() string {
	one := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "/s" }
	if !r.Ramp() {
		return one(r.From)
	}
	return one(r.From) + ":" + one(r.To)
}

// Open is the schedule of an open-model run (Emitter.Load): deliveries
// arrive at Rate over Duration whatever the receiver does.
type Open struct {
	// Rate is the arrival rate.
	Rate Rate
	// Duration is how long arrivals go on. It may be 0 for a fixed rate
	// when Batch.Count is given: the run then lasts Count/Rate.
	Duration time.Duration
	// MaxInFlight bounds the deliveries under way, and so the memory and
	// connections of a run against a receiver that stalls; 0 means
	// DefaultMaxInFlight. A delivery due while MaxInFlight are under way
	// waits for one to end (Summary.Waited counts it); its latency still
	// runs from its scheduled time, so the wait shows in the figures.
	MaxInFlight int
}

// check refuses an impossible schedule with ErrBadConfig; count is
// Batch.Count (0 when not given).
func (o Open) check(count int) (Open, error) {
	switch {
	case o.Rate.From < 0 || o.Rate.To < 0 || o.Rate.From == 0 && o.Rate.To == 0 ||
		math.IsNaN(o.Rate.From+o.Rate.To) || math.IsInf(o.Rate.From+o.Rate.To, 0):
		return o, fmt.Errorf("%w: rate %s: give a positive rate such as 200/s", ErrBadConfig, o.Rate)
	case o.Duration < 0:
		return o, fmt.Errorf("%w: duration %s is negative; give a positive duration such as 30s", ErrBadConfig, o.Duration)
	case o.MaxInFlight < 0:
		return o, fmt.Errorf("%w: max in flight %d is negative; use 1 or more", ErrBadConfig, o.MaxInFlight)
	case o.Duration == 0 && o.Rate.Ramp():
		return o, fmt.Errorf("%w: a ramp (%s) needs a duration to rise over; give one such as 1m", ErrBadConfig, o.Rate)
	case o.Duration == 0 && count == 0:
		return o, fmt.Errorf("%w: a rate needs a duration (such as 30s) or a count of deliveries", ErrBadConfig)
	}
	if o.Duration == 0 {
		o.Duration = time.Duration(float64(count) / o.Rate.From * float64(time.Second))
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	return o, nil
}

// Arrivals returns the number of deliveries that the schedule has: those due
// before Duration ends (rate × duration for a fixed rate, their mean times
// the duration for a ramp, rounded up).
func (o Open) Arrivals() int {
	n := o.Duration.Seconds() * (o.Rate.From + o.Rate.To) / 2
	return int(math.Ceil(n - 1e-9))
}

// Due returns when delivery i is due, from the start of the run: the time
// at which the integral of the rate reaches i, so that the first is due at
// once and, for a fixed rate r, delivery i at i/r.
func (o Open) Due(i int) time.Duration {
	r0, d := o.Rate.From, o.Duration.Seconds()
	a := (o.Rate.To - r0) / (2 * d) // arrivals by t: r0 t + a t²
	var t float64
	switch {
	case i <= 0:
		return 0
	case a == 0 || d == 0:
		t = float64(i) / r0
	default:
		// The root of a t² + r0 t - i, written so that it stays exact when
		// a is small or negative.
		t = 2 * float64(i) / (r0 + math.Sqrt(r0*r0+4*a*float64(i)))
	}
	return time.Duration(t * float64(time.Second))
}

// Load makes an open-model run: deliveries arrive on o's schedule (a fixed
// rate or a linear ramp) whatever the receiver does, delivery i carrying
// b.Events[i%len(b.Events)] with the payload of seed b.Seed+i as in Run, at
// most o.MaxInFlight at once. b.Count, when given, bounds the number of
// deliveries (the run ends after Count deliveries or the duration, whichever
// comes first). Each delivery's latency runs from its scheduled time to its
// end, retries included, so that a receiver that stalls shows in the
// figures instead of slowing the schedule (no coordinated omission): the
// Report handed to each carries that latency in its Latency. each is called
// as in Run, never concurrently.
//
// With b.Shard, Load makes the shard's part of the whole run's schedule:
// delivery i is due at o.Due(i) whichever shard makes it.
//
// Load checks b as Run does and errors with ErrBadConfig for a bad
// schedule, sending nothing. Cancelling ctx stops the schedule: deliveries
// under way end as cancelled, the rest are skipped.
func (e *Emitter) Load(ctx context.Context, b Batch, o Open, each func(i int, r Report)) (Summary, error) {
	o, err := o.check(b.Count)
	if err != nil {
		return Summary{}, err
	}
	n := o.Arrivals()
	if b.Count > 0 {
		n = min(n, b.Count)
	}
	b.Count = n
	if b, err = e.check(b); err != nil {
		return Summary{}, err
	}
	// Workers are started as deliveries fall due and none is idle, up to
	// MaxInFlight, and then reused, as vegeta does: a goroutine per
	// delivery would pay for its start and the growth of its stack each
	// time.
	type job struct {
		i   int
		due time.Duration
	}
	var (
		wg      sync.WaitGroup
		waited  int
		workers int
		work    = make(chan job)
	)
	t := newTally(each)
	validate := !b.NoValidate && (b.Body != nil || len(b.Sets) > 0)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	start := time.Now()
	worker := func(j job) {
		f := fake.New(0)
		for ok := true; ok; j, ok = <-work {
			r := e.deliver(ctx, f, b, j.i, validate)
			r.Latency = time.Since(start) - j.due
			t.add(j.i, r, j.due, r.Latency)
		}
	}
schedule:
	for i := b.Shard.first(); i < n; i += b.Shard.step() {
		j := job{i: i, due: o.Due(i)}
		if wait := j.due - time.Since(start); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				break schedule
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- j: // an idle worker takes it
			continue
		default:
		}
		if workers < o.MaxInFlight {
			workers++
			wg.Go(func() { worker(j) })
			continue
		}
		waited++
		select {
		case work <- j:
		case <-ctx.Done():
			break schedule
		}
	}
	close(work)
	wg.Wait()
	s := t.finish(start, b.Shard.Share(n))
	s.Waited = waited
	return s, nil
}

// ErrorKind classifies the error of a failed delivery (Report.Err) into one
// of loadreport's kinds: loadreport.KindTimeout, KindTLS, KindRefused,
// KindNetwork, KindRejected, KindRedirect, KindCancelled or KindOther. It
// returns "" for nil.
func ErrorKind(err error) string {
	var nerr net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled):
		return loadreport.KindCancelled
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return loadreport.KindTimeout
	case errors.Is(err, ErrTLS):
		return loadreport.KindTLS
	case errors.Is(err, ErrRedirect):
		return loadreport.KindRedirect
	case errors.Is(err, ErrRejected):
		return loadreport.KindRejected
	case errors.Is(err, syscall.ECONNREFUSED):
		return loadreport.KindRefused
	case errors.As(err, &nerr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return loadreport.KindNetwork
	}
	return loadreport.KindOther
}
