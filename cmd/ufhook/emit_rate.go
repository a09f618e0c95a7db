package main

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/loadreport"
	"github.com/ufhook/ufhook/mock"
)

// maxInFlightLimit bounds --max-in-flight: each delivery under way holds a
// goroutine and a connection.
const maxInFlightLimit = 100_000

// schedule reads --rate, --duration and --max-in-flight into the open
// model's schedule, or returns nil for a closed-model run (no --rate). It
// refuses, as usage errors that say what to do, a bad rate, a duration that
// is not positive, a ramp without a duration, a fixed rate with neither
// --duration nor --count, --rate with --concurrency, and --duration or
// --max-in-flight without --rate.
func (f emitFlags) schedule(cmd *cobra.Command) (*mock.Open, error) {
	fl := cmd.Flags()
	if f.maxInFlight < 1 || f.maxInFlight > maxInFlightLimit {
		return nil, usageError("--max-in-flight %d: use 1 to %d (default %d)", f.maxInFlight, maxInFlightLimit, mock.DefaultMaxInFlight)
	}
	if f.rate == "" {
		switch {
		case fl.Changed("rate"):
			return nil, usageError("--rate is empty: give an arrival rate such as 200/s, 600/m or 100/s:1000/s")
		case fl.Changed("duration"):
			return nil, usageError("--duration goes with --rate: give an arrival rate such as --rate 200/s, or use --count for a number of deliveries")
		case fl.Changed("max-in-flight"):
			return nil, usageError("--max-in-flight bounds a --rate run: give --rate too, or use --concurrency for a fixed number of deliveries in flight")
		}
		return nil, nil
	}
	if fl.Changed("concurrency") {
		return nil, usageError("--rate and --concurrency are two ways to load a receiver: --rate sends at an arrival rate whatever it does (bounded by --max-in-flight), --concurrency keeps N deliveries in flight; give one of them")
	}
	rate, err := mock.ParseRate(f.rate)
	if err != nil {
		return nil, usageError("--rate: %s", strings.TrimPrefix(err.Error(), mock.ErrBadConfig.Error()+": "))
	}
	switch {
	case f.duration < 0 || f.duration == 0 && fl.Changed("duration"):
		return nil, usageError("--duration %s: give a positive duration such as 30s or 5m", f.duration)
	case f.duration == 0 && rate.Ramp():
		return nil, usageError("--rate %s is a ramp: give --duration for it to rise over, such as --duration 1m", f.rate)
	case f.duration == 0 && f.count == 0:
		return nil, usageError("--rate %s needs --duration (such as 30s) or --count to say when to stop", f.rate)
	}
	o := mock.Open{Rate: rate, Duration: f.duration, MaxInFlight: f.maxInFlight}
	if o.Duration == 0 {
		o.Duration = time.Duration(float64(f.count) / rate.From * float64(time.Second))
	}
	return &o, nil
}

// writeResults writes --results, the run's settings, figures, histograms
// and per-second series, and --report, their picture.
func writeResults(f emitFlags, em *mock.Emitter, b mock.Batch, open *mock.Open, sum mock.Summary, started time.Time) error {
	st := loadreport.Settings{Model: "closed", Concurrency: f.concurrency, Count: f.count, Started: started.UTC()}
	if open != nil {
		st = loadreport.Settings{Model: "open", Rate: f.rate, RateFrom: open.Rate.From, RateTo: open.Rate.To,
			DurationMs: ms(open.Duration), MaxInFlight: open.MaxInFlight, Count: f.count, Started: started.UTC()}
	}
	st.ShardIndex, st.ShardCount = b.Shard.Index, b.Shard.Count
	var urls []string
	for _, ev := range b.Events {
		st.Events = append(st.Events, ev.Name)
		if u := em.URL(ev); !slices.Contains(urls, u) {
			urls = append(urls, u) // masked
		}
	}
	st.Target = strings.Join(urls, ", ")
	if b.Body == nil {
		seed := b.Seed
		st.Seed = &seed
	}
	res, err := sum.Recorder.Results(st, sum.Figures())
	if err != nil {
		return err
	}
	if f.results != "" {
		if err := res.Write(f.results); err != nil {
			return err
		}
	}
	if f.report != "" {
		return res.WriteHTMLFile(f.report)
	}
	return nil
}
