package loadreport

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Errors of Merge, besides ErrBadResults. Match them with errors.Is.
var (
	// ErrNotOneRun means the files given to Merge are not the shards of
	// one run: their settings differ.
	ErrNotOneRun = errors.New("result files are not of one run")
	// ErrShards means the files given to Merge are not every shard of the
	// run once: one is missing, given twice, or not a shard at all.
	ErrShards = errors.New("result files are not every shard once")
)

// Merge combines the result files of the shards of one run (`ufhook emit
// --shard I/N`, I from 0 to N-1) into the result of the whole run, as if
// one machine had made it:
//
//   - the histograms, overall and per event, are merged exactly (the
//     merged histogram is the one of every shard's latencies), and the
//     latency figures of Summary are read from them again;
//   - the counts (sent, failed, skipped, attempts, retries, waited,
//     statuses, errors by kind) are summed;
//   - the per-second series are merged by wall-clock second: the run
//     starts when its earliest shard did, and shard k's second s is the
//     merged run's second s + round(Started_k - Started), so shards that
//     started within half a second of the earliest keep their seconds;
//   - ElapsedMs runs from the earliest start to the latest end, and
//     Throughput follows from it.
//
// The merged Settings are the shards' with ShardIndex and ShardCount
// cleared, Shards set to N and Started the earliest start.
//
// Merge refuses, with ErrShards, parts that are not shards or are not
// every shard of the run once (saying which are missing or given twice),
// and, with ErrNotOneRun, parts whose settings differ (saying which
// setting); it errors with ErrBadResults when a histogram does not decode
// or a part has no start time. Parts are not modified.
func Merge(parts ...*Results) (*Results, error) {
	if err := checkShards(parts); err != nil {
		return nil, err
	}
	first := parts[0]
	start := first.Settings.Started
	end := time.Time{}
	for _, p := range parts {
		if p.Settings.Started.Before(start) {
			start = p.Settings.Started
		}
		if e := p.Settings.Started.Add(Duration(p.Summary.ElapsedMs)); e.After(end) {
			end = e
		}
	}

	out := &Results{Version: Version, Settings: first.Settings,
		Histograms: Histograms{Encoding: Encoding, Events: map[string]string{}}, Series: []Second{}}
	out.Settings.ShardIndex, out.Settings.ShardCount, out.Settings.Shards = 0, 0, len(parts)
	out.Settings.Started = start

	sum := Summary{Events: map[string]Percentiles{}, Statuses: map[string]int64{}, Errors: map[string]int64{}}
	var overall *hdrhistogram.Histogram
	events := map[string]*hdrhistogram.Histogram{}
	type merged struct {
		hist   *hdrhistogram.Histogram
		errors int64
	}
	seconds := map[int]*merged{}
	for _, p := range parts {
		where := fmt.Sprintf("shard %d", p.Settings.ShardIndex)
		s := p.Summary
		sum.Sent += s.Sent
		sum.Failed += s.Failed
		sum.Skipped += s.Skipped
		sum.Attempts += s.Attempts
		sum.Retries += s.Retries
		sum.Waited += s.Waited
		for k, n := range s.Statuses {
			sum.Statuses[k] += n
		}
		for k, n := range s.Errors {
			sum.Errors[k] += n
		}
		h, err := p.Overall()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if overall, err = mergeInto(overall, h, where+": overall"); err != nil {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(p.Histograms.Events)) {
			h, err := p.Event(name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			if events[name], err = mergeInto(events[name], h, where+": event "+name); err != nil {
				return nil, err
			}
		}
		shift := int(math.Round(p.Settings.Started.Sub(start).Seconds()))
		for _, sec := range p.Series {
			h, err := DecodeHistogram(sec.Histogram)
			if err != nil {
				return nil, fmt.Errorf("%s: second %d: %w", where, sec.Second, err)
			}
			m := seconds[sec.Second+shift]
			if m == nil {
				m = &merged{}
				seconds[sec.Second+shift] = m
			}
			if m.hist, err = mergeInto(m.hist, h, fmt.Sprintf("%s: second %d", where, sec.Second)); err != nil {
				return nil, err
			}
			m.errors += sec.Errors
		}
	}

	var err error
	sum.Latency = PercentilesOf(overall)
	if out.Histograms.Overall, err = encode(overall); err != nil {
		return nil, err
	}
	for name, h := range events {
		sum.Events[name] = PercentilesOf(h)
		if out.Histograms.Events[name], err = encode(h); err != nil {
			return nil, err
		}
	}
	for _, i := range slices.Sorted(maps.Keys(seconds)) {
		m := seconds[i]
		p := PercentilesOf(m.hist)
		sec := Second{Second: i, Count: p.Count, Errors: m.errors, P50Ms: p.P50Ms, P99Ms: p.P99Ms, MaxMs: p.MaxMs}
		if sec.Histogram, err = encode(m.hist); err != nil {
			return nil, err
		}
		out.Series = append(out.Series, sec)
	}
	sum.SetElapsed(end.Sub(start))
	out.Summary = sum
	return out, nil
}

// mergeInto merges h into into, made like h when nil, and errors with
// ErrBadResults when a value of h does not fit (histograms of another
// range).
func mergeInto(into, h *hdrhistogram.Histogram, where string) (*hdrhistogram.Histogram, error) {
	if into == nil {
		into = hdrhistogram.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
	}
	if dropped := into.Merge(h); dropped != 0 {
		return nil, fmt.Errorf("%w: %s: %d values are out of the range of the other shards' histograms: merge files written by one version of ufhook", ErrBadResults, where, dropped)
	}
	return into, nil
}

// checkShards refuses parts that are not every shard of one run once.
func checkShards(parts []*Results) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no result files to merge: give every shard's file", ErrShards)
	}
	for k, p := range parts {
		st := p.Settings
		switch {
		case st.Shards > 0:
			return fmt.Errorf("%w: the %s file is already a merge of %d shards: give the shards' own files (emit --shard I/N --results)", ErrShards, ordinal(k+1), st.Shards)
		case st.ShardCount == 0:
			return fmt.Errorf("%w: the %s file is of a run in one piece, not a shard: merge the files of emit --shard I/N runs", ErrShards, ordinal(k+1))
		case st.ShardIndex < 0 || st.ShardIndex >= st.ShardCount:
			return fmt.Errorf("%w: the %s file says it is shard %d of %d, which does not exist (shards count from 0 to %d)", ErrBadResults, ordinal(k+1), st.ShardIndex, st.ShardCount, st.ShardCount-1)
		case st.Started.IsZero():
			return fmt.Errorf("%w: the %s file (shard %d) has no start time, which merging its series needs: write it again with ufhook emit --results", ErrBadResults, ordinal(k+1), st.ShardIndex)
		}
	}
	first := parts[0].Settings
	for _, p := range parts[1:] {
		if what := differs(first, p.Settings); what != "" {
			return fmt.Errorf("%w: shard %d and shard %d differ in %s: merge the shards of one run, each made with the same flags (--seed, --rate, --duration, --count, events, target) but --shard", ErrNotOneRun, first.ShardIndex, p.Settings.ShardIndex, what)
		}
	}
	n := first.ShardCount
	seen := make([]int, n)
	for _, p := range parts {
		seen[p.Settings.ShardIndex]++
	}
	var missing, twice []string
	for i, c := range seen {
		switch {
		case c == 0:
			missing = append(missing, strconv.Itoa(i))
		case c > 1:
			twice = append(twice, strconv.Itoa(i))
		}
	}
	switch {
	case len(twice) > 0:
		return fmt.Errorf("%w: %s given more than once: give each shard's file once", ErrShards, plural("shard", twice))
	case len(missing) == 1:
		return fmt.Errorf("%w: shard %s of %d is missing: give every shard's file, from shard 0 to shard %d", ErrShards, missing[0], n, n-1)
	case len(missing) > 1:
		return fmt.Errorf("%w: shards %s of %d are missing: give every shard's file, from shard 0 to shard %d", ErrShards, strings.Join(missing, ", "), n, n-1)
	}
	return nil
}

// differs names the first setting, other than the shard's own and its
// start, in which a and b differ, with both values; "" when none does.
func differs(a, b Settings) string {
	seed := func(s *uint64) string {
		if s == nil {
			return "none (a fixed body)"
		}
		return strconv.FormatUint(*s, 10)
	}
	checks := []struct {
		name string
		a, b string
	}{
		{"shard count", strconv.Itoa(a.ShardCount), strconv.Itoa(b.ShardCount)},
		{"seed", seed(a.Seed), seed(b.Seed)},
		{"model", a.Model, b.Model},
		{"rate", rate(a.RateFrom, a.RateTo), rate(b.RateFrom, b.RateTo)},
		{"duration", fmt.Sprint(Duration(a.DurationMs)), fmt.Sprint(Duration(b.DurationMs))},
		{"count", strconv.Itoa(a.Count), strconv.Itoa(b.Count)},
		{"concurrency", strconv.Itoa(a.Concurrency), strconv.Itoa(b.Concurrency)},
		{"max in flight", strconv.Itoa(a.MaxInFlight), strconv.Itoa(b.MaxInFlight)},
		{"events", strings.Join(a.Events, ","), strings.Join(b.Events, ",")},
		{"target", a.Target, b.Target},
	}
	for _, c := range checks {
		if c.a != c.b {
			return fmt.Sprintf("%s (%s and %s)", c.name, c.a, c.b)
		}
	}
	return ""
}

// rate returns a rate per second as `emit --rate` reads it: "200/s" or
// "100/s:1000/s"; "none" for a closed-model run.
func rate(from, to float64) string {
	one := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "/s" }
	switch {
	case from == 0 && to == 0:
		return "none"
	case from == to:
		return one(from)
	}
	return one(from) + ":" + one(to)
}

// plural returns "shard 2" or "shards 1, 3".
func plural(word string, items []string) string {
	if len(items) == 1 {
		return word + " " + items[0]
	}
	return word + "s " + strings.Join(items, ", ")
}

// ordinal returns "1st", "2nd", "3rd", "4th", ... "11th", "21st".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
