package loadreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Version is the version of the result file that Write writes and Read
// reads.
const Version = 1

// Encoding names how Histograms and Second.Histogram are stored: the
// HdrHistogram V2 compressed encoding, base64, as every HdrHistogram
// library reads it (hdrhistogram.Decode in Go).
const Encoding = "hdrhistogram-v2-compressed-base64"

// Errors of the result file. Match them with errors.Is.
var (
	// ErrUnwritable means the result file cannot be written where asked.
	ErrUnwritable = errors.New("result file cannot be written")
	// ErrBadResults means a result file could not be read: it is not JSON,
	// has another version, or a histogram does not decode.
	ErrBadResults = errors.New("bad result file")
)

// Results is the content of a result file (`ufhook emit --results`): the
// run's settings, its summary, its histograms, exactly, and its per-second
// series. Histograms of several runs (the shards of one run) can be merged
// exactly: decode them and call Merge.
type Results struct {
	// Version is Version.
	Version int `json:"version"`
	// Settings are the run's settings.
	Settings Settings `json:"settings"`
	// Summary is the run's summary.
	Summary Summary `json:"summary"`
	// Histograms are the latency histograms, in microseconds.
	Histograms Histograms `json:"histograms"`
	// Series is the latency over time: one entry per second of the run
	// in which deliveries were due, in order, seconds without any left out.
	Series []Second `json:"series"`
}

// Settings are what a run was asked to do.
type Settings struct {
	// Model is "open" (a fixed or ramped arrival rate) or "closed" (a
	// number of workers).
	Model string `json:"model"`
	// Rate is the arrival rate as given ("200/s", "100/s:1000/s"); RateFrom
	// and RateTo the rate per second at the start and at the end (equal
	// for a fixed rate). Open model only.
	Rate     string  `json:"rate,omitempty"`
	RateFrom float64 `json:"rateFrom,omitempty"`
	RateTo   float64 `json:"rateTo,omitempty"`
	// DurationMs is the duration of the schedule (open model).
	DurationMs float64 `json:"durationMs,omitempty"`
	// MaxInFlight bounds the deliveries under way (open model).
	MaxInFlight int `json:"maxInFlight,omitempty"`
	// Concurrency is the number of workers (closed model).
	Concurrency int `json:"concurrency,omitempty"`
	// Count is the number of deliveries asked for, or their bound with a
	// rate; 0 when not given.
	Count int `json:"count,omitempty"`
	// Events are the names of the events sent, in turn.
	Events []string `json:"events"`
	// Seed is the seed of the first payload (delivery i is Seed+i); nil
	// when a fixed body was sent.
	Seed *uint64 `json:"seed,omitempty"`
	// Target is the receiver's URL, any key in it masked.
	Target string `json:"target"`
	// Started is when the run started.
	Started time.Time `json:"started"`
	// ShardIndex and ShardCount say which part of a run spread over
	// several machines this is (`emit --shard ShardIndex/ShardCount`):
	// ShardIndex counts from 0, as a Kubernetes Indexed Job's
	// JOB_COMPLETION_INDEX does, so it is left out of shard 0's file.
	// ShardCount is 0 for a run in one piece, and for a merged file. The
	// other settings are the whole run's (Rate, Count), but for
	// Concurrency and MaxInFlight, which are each shard's.
	ShardIndex int `json:"shardIndex,omitempty"`
	ShardCount int `json:"shardCount,omitempty"`
	// Shards is the number of shards' files merged into this one by
	// Merge (`ufhook report merge`); 0 for a file that emit wrote.
	Shards int `json:"shards,omitempty"`
}

// Histograms are a run's latency histograms, each stored in Encoding.
type Histograms struct {
	// Encoding is Encoding.
	Encoding string `json:"encoding"`
	// Overall is over every delivery; Events per event name.
	Overall string            `json:"overall"`
	Events  map[string]string `json:"events"`
}

// Second is one second of the latency-over-time series: the deliveries due
// in it (by their scheduled time in the open model).
type Second struct {
	// Second counts from the start of the run, from 0.
	Second int `json:"second"`
	// Count is the number of deliveries due in this second; Errors those of
	// them that failed.
	Count  int64 `json:"count"`
	Errors int64 `json:"errors"`
	// P50Ms, P99Ms and MaxMs are their latency's figures.
	P50Ms float64 `json:"p50Ms"`
	P99Ms float64 `json:"p99Ms"`
	MaxMs float64 `json:"maxMs"`
	// Histogram is their histogram (two significant figures), in Encoding.
	Histogram string `json:"histogram"`
}

// Results returns the recorded figures as a result file's content, with
// settings and summary (from Summary, completed by the caller).
func (r *Recorder) Results(settings Settings, summary Summary) (*Results, error) {
	res := &Results{Version: Version, Settings: settings, Summary: summary,
		Histograms: Histograms{Encoding: Encoding, Events: map[string]string{}}, Series: []Second{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	if res.Histograms.Overall, err = encode(r.overall); err != nil {
		return nil, err
	}
	for name, h := range r.events {
		if res.Histograms.Events[name], err = encode(h); err != nil {
			return nil, err
		}
	}
	for i, s := range r.seconds {
		if s == nil {
			continue
		}
		p := PercentilesOf(s.hist)
		sec := Second{Second: i, Count: p.Count, Errors: s.errors, P50Ms: p.P50Ms, P99Ms: p.P99Ms, MaxMs: p.MaxMs}
		if sec.Histogram, err = encode(s.hist); err != nil {
			return nil, err
		}
		res.Series = append(res.Series, sec)
	}
	return res, nil
}

func encode(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encoding a histogram: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram decodes a histogram stored in Encoding.
func DecodeHistogram(s string) (*hdrhistogram.Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: a histogram does not decode: %w", ErrBadResults, err)
	}
	return h, nil
}

// Overall decodes the overall histogram.
func (res *Results) Overall() (*hdrhistogram.Histogram, error) {
	return DecodeHistogram(res.Histograms.Overall)
}

// Event decodes the histogram of the event called name; it errors with
// ErrBadResults when there is none.
func (res *Results) Event(name string) (*hdrhistogram.Histogram, error) {
	s, ok := res.Histograms.Events[name]
	if !ok {
		return nil, fmt.Errorf("%w: no histogram for event %q", ErrBadResults, name)
	}
	return DecodeHistogram(s)
}

// CheckWritable reports whether a result file can be written at path,
// before a run starts, by creating and removing a temporary file beside it.
// It errors with ErrUnwritable, saying what to do.
func CheckWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%w: %s is a directory: give a file name such as %s", ErrUnwritable, path, filepath.Join(path, "results.json"))
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%w: %w (give a path in an existing directory that you can write to)", ErrUnwritable, err)
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// Write writes res to path as indented JSON, atomically: to a temporary
// file in the same directory, then renamed over path, so that path never
// holds half a file. It errors with ErrUnwritable.
func (res *Results) Write(path string) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding results: %w", err)
	}
	return writeFile(path, append(data, '\n'))
}

// writeFile writes data to path atomically: to a temporary file in the
// same directory, then renamed over path. It errors with ErrUnwritable.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp makes the file 0600; a result file is meant to be
		// shared like any other output.
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	return nil
}

// Read reads a result file written by Write. It errors with ErrBadResults
// for a file that is not JSON, has another version or holds a histogram
// that does not decode, and with the os error for one that cannot be read.
func Read(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadResults, path, err)
	}
	if res.Version != Version {
		return nil, fmt.Errorf("%w: %s has version %d, while this ufhook reads version %d: read it with the ufhook that wrote it", ErrBadResults, path, res.Version, Version)
	}
	if res.Histograms.Encoding != Encoding {
		return nil, fmt.Errorf("%w: %s stores histograms as %q, not %q", ErrBadResults, path, res.Histograms.Encoding, Encoding)
	}
	if _, err := res.Overall(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name := range res.Histograms.Events {
		if _, err := res.Event(name); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return &res, nil
}
