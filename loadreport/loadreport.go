// Package loadreport holds the figures of a load run of `ufhook emit`: HDR
// histograms of the deliveries' latency (overall and per event, from
// github.com/HdrHistogram/hdrhistogram-go), counts by status code and by
// kind of error, retries, a per-second series for charting latency over
// time, and the result file (--results) that stores them so that runs can
// be reported and merged later, histograms exactly.
//
// A Recorder is fed one Delivery at a time by the sender (package mock) and
// knows nothing of HTTP: the sender says which kind of error a delivery
// failed with.
package loadreport

import (
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram ranges. Latencies are recorded in microseconds, from 1 µs to one
// hour (longer ones are recorded as one hour), with three significant
// figures overall and per event, and two per second of the series, which
// keeps a second's histogram near 26 KiB in memory while its p99 is still
// within 1%.
const (
	lowest        = 1
	highest       = int64(time.Hour / time.Microsecond)
	figures       = 3
	secondFigures = 2
)

// Kinds of error, the keys of Summary.Errors. The sender classifies its
// errors into these.
const (
	// KindTimeout: no complete answer within the per-attempt timeout.
	KindTimeout = "timeout"
	// KindTLS: the receiver's certificate could not be verified.
	KindTLS = "tls"
	// KindRefused: the connection was refused (nothing listens there).
	KindRefused = "refused"
	// KindNetwork: any other network error (reset, DNS, broken pipe).
	KindNetwork = "network"
	// KindRejected: the receiver answered with a status other than 2xx or
	// 3xx (the status is counted in Summary.Statuses too).
	KindRejected = "rejected"
	// KindRedirect: the receiver answered 3xx, which is not followed.
	KindRedirect = "redirect"
	// KindCancelled: the run was cancelled before the delivery ended.
	KindCancelled = "cancelled"
	// KindOther: any other failure, such as a payload that could not be
	// built.
	KindOther = "other"
)

// Delivery is what a Recorder records of one delivery.
type Delivery struct {
	// Event is the event's name.
	Event string
	// At is when the delivery was due, from the start of the run: its
	// scheduled time in the open model, its start in the closed one. It
	// picks the second of the series.
	At time.Duration
	// Latency is the delivery's latency, as the sender measures it.
	Latency time.Duration
	// Status is the last attempt's status code, 0 when none came.
	Status int
	// Attempts is the number of HTTP attempts, retries included.
	Attempts int
	// OK reports whether the delivery succeeded (2xx).
	OK bool
	// Kind is the kind of error of a failed delivery (KindTimeout, ...);
	// ignored when OK.
	Kind string
}

// Recorder accumulates the figures of a run. It is safe for concurrent use.
// The zero value is not usable: call NewRecorder.
type Recorder struct {
	mu       sync.Mutex
	overall  *hdrhistogram.Histogram
	events   map[string]*hdrhistogram.Histogram
	seconds  []*second
	statuses map[int]int64
	errors   map[string]int64
	sent     int64
	failed   int64
	attempts int64
}

// second is one second of the series.
type second struct {
	hist   *hdrhistogram.Histogram
	errors int64
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{
		overall:  newHistogram(figures),
		events:   map[string]*hdrhistogram.Histogram{},
		statuses: map[int]int64{},
		errors:   map[string]int64{},
	}
}

func newHistogram(sigfigs int) *hdrhistogram.Histogram {
	return hdrhistogram.New(lowest, highest, sigfigs)
}

// micros turns a latency into a recordable value: in microseconds, at least
// 1 and at most one hour.
func micros(d time.Duration) int64 {
	return min(max(d.Microseconds(), lowest), highest)
}

// Record adds one delivery.
func (r *Recorder) Record(d Delivery) {
	v := micros(d.Latency)
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.overall.RecordValue(v) // v is within range: no error
	h := r.events[d.Event]
	if h == nil {
		h = newHistogram(figures)
		r.events[d.Event] = h
	}
	_ = h.RecordValue(v)
	s := int(max(d.At, 0) / time.Second)
	for len(r.seconds) <= s {
		r.seconds = append(r.seconds, nil)
	}
	if r.seconds[s] == nil {
		r.seconds[s] = &second{hist: newHistogram(secondFigures)}
	}
	_ = r.seconds[s].hist.RecordValue(v)
	if d.Status != 0 {
		r.statuses[d.Status]++
	}
	r.attempts += int64(d.Attempts)
	if d.OK {
		r.sent++
		return
	}
	r.failed++
	r.seconds[s].errors++
	kind := d.Kind
	if kind == "" {
		kind = KindOther
	}
	r.errors[kind]++
}

// Percentiles are the latency figures of a histogram, in milliseconds.
type Percentiles struct {
	// Count is the number of deliveries recorded.
	Count int64 `json:"count"`
	// P50Ms ... P999Ms are the 50th, 90th, 99th and 99.9th percentiles;
	// MaxMs and MeanMs the largest and the mean latency.
	P50Ms  float64 `json:"p50Ms"`
	P90Ms  float64 `json:"p90Ms"`
	P99Ms  float64 `json:"p99Ms"`
	P999Ms float64 `json:"p999Ms"`
	MaxMs  float64 `json:"maxMs"`
	MeanMs float64 `json:"meanMs"`
}

// PercentilesOf reads the figures of h, a histogram of microseconds.
func PercentilesOf(h *hdrhistogram.Histogram) Percentiles {
	if h.TotalCount() == 0 {
		return Percentiles{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Percentiles{
		Count:  h.TotalCount(),
		P50Ms:  ms(h.ValueAtQuantile(50)),
		P90Ms:  ms(h.ValueAtQuantile(90)),
		P99Ms:  ms(h.ValueAtQuantile(99)),
		P999Ms: ms(h.ValueAtQuantile(99.9)),
		MaxMs:  ms(h.Max()),
		MeanMs: h.Mean() / 1000,
	}
}

// Duration turns a figure in milliseconds back into a Duration.
func Duration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// Summary is the figures of a run.
type Summary struct {
	// Sent counts the deliveries answered 2xx, Failed those that were not,
	// Skipped those never started because the run was cancelled.
	Sent    int64 `json:"sent"`
	Failed  int64 `json:"failed"`
	Skipped int64 `json:"skipped"`
	// Attempts counts every HTTP attempt; Retries those after a delivery's
	// first.
	Attempts int64 `json:"attempts"`
	Retries  int64 `json:"retries"`
	// Waited counts, in the open model, the deliveries that were due while
	// --max-in-flight deliveries were under way: they waited for one to
	// end, and their latency includes the wait (none is dropped).
	Waited int64 `json:"waited"`
	// ElapsedMs is the wall time of the run; Throughput the deliveries
	// (sent or failed) per second of it.
	ElapsedMs  float64 `json:"elapsedMs"`
	Throughput float64 `json:"throughput"`
	// Latency is over every delivery; Events per event name.
	Latency Percentiles            `json:"latency"`
	Events  map[string]Percentiles `json:"events"`
	// Statuses counts the deliveries by their last attempt's status code
	// ("200", "503"); those that got no answer are counted in Errors only.
	Statuses map[string]int64 `json:"statuses"`
	// Errors counts the failed deliveries by kind (KindTimeout, ...).
	Errors map[string]int64 `json:"errors"`
}

// Summary returns the figures recorded so far. The caller fills Skipped,
// Waited, ElapsedMs and Throughput, which the Recorder does not know (see
// Summary.SetElapsed).
func (r *Recorder) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{
		Sent: r.sent, Failed: r.failed, Attempts: r.attempts, Retries: r.attempts - r.sent - r.failed,
		Latency:  PercentilesOf(r.overall),
		Events:   make(map[string]Percentiles, len(r.events)),
		Statuses: make(map[string]int64, len(r.statuses)),
		Errors:   maps.Clone(r.errors),
	}
	for name, h := range r.events {
		s.Events[name] = PercentilesOf(h)
	}
	for code, n := range r.statuses {
		s.Statuses[strconv.Itoa(code)] = n
	}
	return s
}

// SetElapsed sets ElapsedMs and the throughput that follows from it.
func (s *Summary) SetElapsed(d time.Duration) {
	s.ElapsedMs = float64(d.Microseconds()) / 1000
	if d > 0 {
		s.Throughput = float64(s.Sent+s.Failed) / d.Seconds()
	}
}

// EventNames returns the names in s.Events, sorted.
func (s Summary) EventNames() []string { return slices.Sorted(maps.Keys(s.Events)) }

// Histograms returns copies of the overall histogram and of each event's.
func (r *Recorder) Histograms() (overall *hdrhistogram.Histogram, events map[string]*hdrhistogram.Histogram) {
	r.mu.Lock()
	defer r.mu.Unlock()
	events = make(map[string]*hdrhistogram.Histogram, len(r.events))
	for name, h := range r.events {
		events[name] = hdrhistogram.Import(h.Export())
	}
	return hdrhistogram.Import(r.overall.Export()), events
}
