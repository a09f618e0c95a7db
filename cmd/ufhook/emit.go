package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/loadreport"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

func init() { commands = append(commands, withSpec(newEmitCmd)) }

// emitFlags are the flags of ufhook emit.
type emitFlags struct {
	payload     payloadFlags
	all         bool
	target      string
	routes      mock.Routes
	token       string
	count       int
	concurrency int
	body        string
	ca          string
	insecure    bool
	timeout     time.Duration
	retries     int
	asJSON      bool
	quiet       bool
	sign        signFlags
	signed      *signing
	rate        string
	duration    time.Duration
	maxInFlight int
	results     string
	report      string
	shardSpec   string
}

// progressMin is the number of deliveries from which a run counts as long
// enough for a progress bar.
const progressMin = 200

func newEmitCmd() *cobra.Command {
	var f emitFlags
	cmd := &cobra.Command{
		Use:   "emit [EVENT...|--all] --target URL --token T",
		Short: "Send realistic fake webhooks to a receiver, as Userfront does",
		Long: `Send fake webhooks to a receiver the way Userfront sends them: a POST with the
JSON envelope, Authorization: Bearer <webhook API key> and User-Agent:
ufhook/<version>.
TLS is verified (--ca trusts a private CA; --insecure skips it, with a
warning). Live mode refuses http:// targets, as Userfront does; test mode
allows them. Redirects are never followed: a 3xx is a failed delivery.
Network errors, timeouts, 429 and 5xx are retried with exponential backoff
and jitter, honouring Retry-After.

Events are delivered in turn until --count deliveries are made (one per event
by default). Delivery i carries the payload of seed --seed+i, so
'ufhook example EVENT --seed N' prints it again. It prints one line per
delivery (one JSON object with --json) and a summary, and exits 0 when every
webhook was delivered, 1 when one was not, and 2 for a bad flag or setting.
The webhook API key may come from UFHOOK_TOKEN instead of --token, which
keeps it out of shell history; it is never printed whole.

Signed webhooks: --sign SCHEME (or the document's x-ufhook-signature) signs
every attempt with --secret (or UFHOOK_SIGNING_SECRET): standard-webhooks
(webhook-id, webhook-timestamp, webhook-signature), hmac-sha256
(X-Hub-Signature-256: sha256=<hex>), timestamped (Signature: t=<ts>,v1=<hex>),
or a custom scheme. Each delivery has one message id, kept across its
retries; each attempt is signed at its own time.

Load: --concurrency N keeps N deliveries under way until --count are made
(a closed model: a slow receiver slows the sender). --rate sends at an
arrival rate instead, whatever the receiver does (an open model): N/s or
N/m for --duration (or until --count deliveries), or a linear ramp A:B
such as 100/s:1000/s over --duration, to find where the receiver gives
way. Each delivery's latency runs from its scheduled time, retries
included, so a receiver that stalls shows in the figures instead of
slowing the clock. --max-in-flight bounds the deliveries under way (and so
memory and connections): one due while that many are under way waits for
a slot, is counted as waited in the summary, and its wait counts in its
latency; none is dropped. --count with --rate bounds the total. --rate
and --concurrency do not go together.

The summary gives p50, p90, p99, p99.9 and max latency (HDR histograms),
overall and per event, the throughput, the status codes, the retries and
the failures by kind (timeout, tls, refused, network, rejected, redirect,
cancelled); with --json its last line holds them. --results FILE.json
writes the run's settings, summary, histograms (exactly mergeable) and
latency per second, atomically; --report FILE.html writes a picture of the
run, one self-contained HTML page with its charts ('ufhook report html'
draws it again from a result file). An unwritable path is refused before
anything is sent. A progress bar shows on a terminal during long runs.

` + shardHelp,
		Example: `  ufhook emit --all --target https://127.0.0.1:8443/webhook --token "$UFHOOK_TOKEN" --ca ca.pem
  ufhook emit user.created --target http://localhost:3000/hooks --token T --set record.email=a@b.co
  ufhook emit --all --target https://staging.example.com/hooks --mode live --count 600 --concurrency 8 --json
  UFHOOK_SIGNING_SECRET=whsec_... ufhook emit --all --spec billing.yaml --sign standard-webhooks --target https://127.0.0.1:8443/hooks
  ufhook emit user.created --target https://127.0.0.1:8443/webhook --ca ca.pem --rate 200/s --duration 30s --results run.json --report run.html
  ufhook emit --all --target https://staging.example.com/hooks --mode live --rate 100/s:1000/s --duration 2m --max-in-flight 500 -q
  ufhook emit --all --target https://staging.example.com/hooks --rate 5000/s --duration 5m --seed 1 --shard 0/4 --results shard-0.json -q`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEmit(cmd, args, f)
		},
	}
	f.payload.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&f.all, "all", false, "send every event of the spec")
	fl.StringVar(&f.target, "target", "", "the receiver's webhook URL, for every event without a --route")
	fl.Var(&f.routes, "route", "send one event to its own URL (repeatable), as Userfront has one URL per event")
	fl.StringVar(&f.token, "token", "", "webhook API key sent as Authorization: Bearer <key> (default $UFHOOK_TOKEN)")
	fl.IntVar(&f.count, "count", 0, "number of deliveries, cycling through the events (default: one per event)")
	fl.IntVar(&f.concurrency, "concurrency", 1, "deliveries in flight at once (closed model; not with --rate)")
	fl.StringVar(&f.rate, "rate", "", "send at this arrival `RATE`: N/s or N/m, or a ramp A:B such as 100/s:1000/s (open model)")
	fl.DurationVar(&f.duration, "duration", 0, "how long a --rate run sends, such as 30s or 5m")
	fl.IntVar(&f.maxInFlight, "max-in-flight", mock.DefaultMaxInFlight, "bound on the deliveries of a --rate run under way at once; later ones wait")
	fl.StringVar(&f.results, "results", "", "write the run's settings, figures and histograms to `FILE` (JSON)")
	fl.StringVar(&f.report, "report", "", "write a picture of the run to `FILE` (one self-contained HTML page)")
	fl.StringVar(&f.shardSpec, "shard", "", "make shard `I/N` of the run, I from 0: the deliveries i with i % N == I (needs --seed; see below)")
	fl.StringVar(&f.body, "body", "", "send the JSON in `FILE` (- for stdin) instead of generated payloads")
	fl.StringVar(&f.ca, "ca", "", "PEM `FILE` of a private CA to trust besides the system roots")
	fl.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (prints a warning)")
	fl.DurationVar(&f.timeout, "timeout", mock.DefaultTimeout, "bound on each attempt")
	fl.IntVar(&f.retries, "retries", mock.DefaultRetry.Retries, "retries of a failed delivery (network error, timeout, 429, 5xx)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object per delivery and for the summary")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print failed deliveries and the summary only")
	f.sign.register(cmd, "sign every attempt with", false)
	return cmd
}

func runEmit(cmd *cobra.Command, args []string, f emitFlags) error {
	mock.Version = version
	events, err := emitEvents(args, f.all)
	if err != nil {
		return err
	}
	opts, err := f.payload.options(cmd)
	if err != nil {
		return err
	}
	switch {
	case f.count < 0 || f.count == 0 && cmd.Flags().Changed("count"):
		return usageError("--count %d: give a positive number of deliveries (leave it out for one per event)", f.count)
	case f.concurrency < 1 || f.concurrency > 1024:
		return usageError("--concurrency %d: use 1 to 1024", f.concurrency)
	}
	open, err := f.schedule(cmd)
	if err != nil {
		return err
	}
	shard, err := f.shard(cmd)
	if err != nil {
		return err
	}
	for _, out := range []struct{ flag, path string }{{"--results", f.results}, {"--report", f.report}} {
		if out.path == "" {
			continue
		}
		if err := loadreport.CheckWritable(out.path); err != nil {
			return usageError("%s %s: %v", out.flag, out.path, err)
		}
	}
	if f.token == "" {
		f.token = os.Getenv("UFHOOK_TOKEN")
	}
	if f.token == "" && needsToken() {
		return usageError("no webhook API key: pass --token or set UFHOOK_TOKEN to the key your receiver expects")
	}
	cfg, err := serveEmitterConfig(f.target, f.routes, f.token, string(opts.Mode), f.ca, f.insecure, f.timeout, f.retries)
	if err != nil {
		return err
	}
	if f.signed, err = f.sign.resolve(cmd, false); err != nil {
		return err
	}
	if cfg.Signer, err = f.signed.signer(); err != nil {
		return err
	}
	cfg.Retry = mock.RetryPolicy{Retries: f.retries, Base: mock.DefaultRetry.Base, Max: mock.DefaultRetry.Max}
	cfg.Concurrency = f.concurrency
	if open != nil {
		// As many connections stay open as deliveries may be under way.
		cfg.Concurrency = open.MaxInFlight
	}
	// Only the events to be sent need a URL: a single --route without
	// --target is enough for that one event.
	for _, ev := range events {
		cfg.Events = append(cfg.Events, ev.Name)
	}
	batch := mock.Batch{Events: events, Count: f.count, Seed: opts.Seed, Shape: opts.Shape, Sets: f.payload.sets, NoValidate: f.payload.noValidate, Shard: shard}
	if f.body != "" {
		if batch.Body, err = readBody(cmd, f.body); err != nil {
			return err
		}
	}
	em, err := mock.NewEmitter(cfg)
	if err != nil {
		return asUsage(err)
	}
	if w := contract.TokenWarning(cfg.Token, cfg.Mode); w != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "ufhook: warning: %s\n", w)
	}
	defer em.Close()
	if f.insecure {
		fmt.Fprintln(cmd.ErrOrStderr(), "ufhook: warning: --insecure: the receiver's TLS certificate is not verified, so anyone on the path could read the webhook API key")
	}

	out := newEmitOutput(cmd, f, batch, open)
	defer out.close()
	out.header(cfg, batch, open)
	// A run is short and its heap small, so fewer garbage collections buy
	// throughput (about 10% at --concurrency 32, docs/benchmarks.md) for a
	// few MiB. GOGC, when set, still decides.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	started := time.Now()
	var sum mock.Summary
	if open != nil {
		sum, err = em.Load(cmd.Context(), batch, *open, out.report)
	} else {
		sum, err = em.Run(cmd.Context(), batch, out.report)
	}
	if err != nil {
		return asUsage(err)
	}
	out.summary(sum, batch, open)
	if f.results != "" || f.report != "" {
		if err := writeResults(f, em, batch, open, sum, started); err != nil {
			out.close()
			return failure(fmt.Errorf("the run is over but its results were not written: %w", err))
		}
	}
	total := sum.Sent + sum.Failed + sum.Skipped
	switch {
	case cmd.Context().Err() != nil:
		return failure(fmt.Errorf("interrupted: %d of %d webhooks were delivered", sum.Sent, total))
	case sum.Failed > 0:
		return failure(fmt.Errorf("%d of %d webhooks were not delivered (see the lines above)", sum.Failed, total))
	}
	return nil
}

// emitEvents returns the events to send: the arguments, looked up in the
// catalog, or all with --all.
func emitEvents(args []string, all bool) ([]openapi.Event, error) {
	switch {
	case all && len(args) > 0:
		return nil, usageError("give event names or --all, not both")
	case all:
		return openapi.Events()
	case len(args) == 0:
		return nil, usageError("no events: name some (e.g. user.created) or use --all; 'ufhook events' lists them")
	}
	evs := make([]openapi.Event, 0, len(args))
	for _, name := range args {
		ev, err := openapi.Lookup(name)
		if err != nil {
			return nil, usageError("%v (see 'ufhook events')", err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// readBody reads --body FILE ("-" is stdin), up to 10 MiB.
func readBody(cmd *cobra.Command, path string) ([]byte, error) {
	const limit = 10 << 20
	var r io.Reader = cmd.InOrStdin()
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return nil, usageError("--body: %v (give a readable JSON file, or - for stdin)", err)
		}
		defer file.Close()
		r = file
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, usageError("--body %s: %v (give a readable JSON file, or - for stdin)", path, err)
	}
	if len(data) > limit {
		return nil, usageError("--body %s: larger than 10 MiB, while a webhook payload is a few KiB", path)
	}
	return data, nil
}

// emitOutput prints the deliveries of a run. Run calls report one at a
// time, so it needs no lock of its own.
type emitOutput struct {
	f      emitFlags
	w      *bufio.Writer
	flush  bool // flush every line: stdout is a terminal
	bar    *progressbar.ProgressBar
	seed   uint64
	width  int
	line   []byte // the line being built, reused
	num    [20]byte
	stderr io.Writer
}

func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

func newEmitOutput(cmd *cobra.Command, f emitFlags, b mock.Batch, open *mock.Open) *emitOutput {
	o := &emitOutput{f: f, w: bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10), stderr: cmd.ErrOrStderr(), seed: b.Seed}
	o.flush = isTerminal(cmd.OutOrStdout())
	for _, ev := range b.Events {
		o.width = max(o.width, len(ev.Name))
	}
	count := deliveries(b, open)
	if count >= progressMin && isTerminal(o.stderr) {
		o.bar = progressbar.NewOptions(count,
			progressbar.OptionSetWriter(o.stderr),
			progressbar.OptionSetDescription("emitting"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("webhooks"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return o
}

// deliveries returns how many deliveries this process has to make: its
// shard's part of wholeRun's.
func deliveries(b mock.Batch, open *mock.Open) int {
	return b.Shard.Share(wholeRun(b, open))
}

// wholeRun returns how many deliveries a run has to make, all its shards
// together: --count (one per event by default), or the arrivals of a
// rate's schedule, bounded by --count.
func wholeRun(b mock.Batch, open *mock.Open) int {
	if open != nil {
		n := open.Arrivals()
		if b.Count > 0 {
			n = min(n, b.Count)
		}
		return n
	}
	if b.Count == 0 {
		return len(b.Events)
	}
	return b.Count
}

func (o *emitOutput) header(cfg mock.Config, b mock.Batch, open *mock.Open) {
	if o.f.asJSON || o.f.quiet {
		return
	}
	seed := fmt.Sprintf("seed %d", b.Seed)
	if b.Body != nil {
		seed = "body " + o.f.body
	}
	target := cfg.Target
	if len(cfg.Routes) > 0 {
		target = fmt.Sprintf("%s (+%d routes)", target, len(cfg.Routes))
	}
	mode := ", mode " + string(cfg.Mode)
	if cfg.Mode == "" {
		mode = "" // the document declares no modes
	}
	signed := ""
	if o.f.signed != nil {
		signed = ", " + o.f.signed.describe()
	}
	load := ""
	if open != nil {
		load = fmt.Sprintf(", rate %s for %s (%s, at most %d in flight)", open.Rate, open.Duration, countOf(deliveries(b, open), "delivery"), open.MaxInFlight)
	}
	fmt.Fprintf(o.w, "emitting to %s, key %s%s%s, %s%s%s\n", target, bearer.Mask(cfg.Token), mode, signed, seed, load, shardNote(b.Shard, wholeRun(b, open)))
	o.lineDone()
}

// deliveryLine is one delivery in --json output.
type deliveryLine struct {
	Index     int     `json:"index"`
	Event     string  `json:"event"`
	URL       string  `json:"url"`
	Seed      *uint64 `json:"seed,omitempty"`
	OK        bool    `json:"ok"`
	Status    int     `json:"status"`
	Attempts  int     `json:"attempts"`
	MessageID string  `json:"messageId,omitempty"`
	LatencyMS float64 `json:"latencyMs"`
	Excerpt   string  `json:"excerpt,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (o *emitOutput) report(i int, r mock.Report) {
	if o.bar != nil {
		_ = o.bar.Add(1)
	}
	if o.f.quiet && r.OK() {
		return
	}
	if o.bar != nil && o.flush {
		_ = o.bar.Clear()
	}
	var seed *uint64
	if o.f.body == "" {
		s := o.seed + uint64(i)
		seed = &s
	}
	if o.f.asJSON {
		line := deliveryLine{Index: i, Event: r.Event, URL: r.URL, Seed: seed, OK: r.OK(), Status: r.Status,
			Attempts: len(r.Attempts), MessageID: r.MessageID, LatencyMS: ms(r.Latency), Excerpt: r.Excerpt}
		if r.Err != nil {
			line.Error = r.Err.Error()
		}
		b, _ := json.Marshal(line)
		o.w.Write(b)
		o.w.WriteByte('\n')
		o.lineDone()
		return
	}
	// This runs once per delivery, under Run's lock: build the line with
	// appends into a reused buffer rather than fmt.
	b := o.line[:0]
	if r.OK() {
		b = append(b, "ok   "...)
	} else {
		b = append(b, "FAIL "...)
	}
	b = append(b, r.Event...)
	for n := len(r.Event); n <= o.width; n++ {
		b = append(b, ' ')
	}
	b = appendRight(b, strconv.AppendInt(o.num[:0], int64(r.Status), 10), 3)
	b = append(b, ' ')
	b = appendRight(b, []byte(r.Latency.Round(10*time.Microsecond).String()), 8)
	b = append(b, "  "...)
	b = strconv.AppendInt(b, int64(len(r.Attempts)), 10)
	if len(r.Attempts) == 1 {
		b = append(b, " attempt"...)
	} else {
		b = append(b, " attempts"...)
	}
	if seed != nil {
		b = strconv.AppendUint(append(b, "  seed "...), *seed, 10)
	}
	if len(o.f.routes) > 0 {
		b = append(append(b, "  "...), r.URL...)
	}
	if r.Err != nil {
		b = append(append(b, "  "...), r.Err.Error()...)
		if r.Excerpt != "" {
			b = append(append(b, "; body: "...), oneLine(r.Excerpt, 200)...)
		}
	}
	o.line = append(b, '\n')
	_, _ = o.w.Write(o.line)
	o.lineDone()
}

// appendRight appends s right-aligned in width columns.
func appendRight(b, s []byte, width int) []byte {
	for n := len(s); n < width; n++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

func (o *emitOutput) lineDone() {
	if o.flush {
		_ = o.w.Flush()
	}
}

// summaryLine is the last line of --json output. Its first fields are
// those of the closed model's summary since before --rate; the HDR figures
// follow.
type summaryLine struct {
	Summary struct {
		Sent         int     `json:"sent"`
		Failed       int     `json:"failed"`
		Skipped      int     `json:"skipped"`
		Attempts     int     `json:"attempts"`
		P50MS        float64 `json:"p50Ms"`
		P99MS        float64 `json:"p99Ms"`
		EventsPerSec float64 `json:"eventsPerSecond"`
		ElapsedMS    float64 `json:"elapsedMs"`
		Seed         *uint64 `json:"seed,omitempty"`
		// Model is "open" for a --rate run, "closed" otherwise.
		Model string `json:"model"`
		// Rate and DurationMs are the schedule of a --rate run.
		Rate       string  `json:"rate,omitempty"`
		DurationMs float64 `json:"durationMs,omitempty"`
		P90MS      float64 `json:"p90Ms"`
		P999MS     float64 `json:"p999Ms"`
		MaxMS      float64 `json:"maxMs"`
		Retries    int64   `json:"retries"`
		// Waited counts the deliveries of a --rate run that waited for one
		// of --max-in-flight to end.
		Waited   int64                             `json:"waited"`
		Statuses map[string]int64                  `json:"statuses"`
		Errors   map[string]int64                  `json:"errors"`
		Events   map[string]loadreport.Percentiles `json:"events"`
		// Shard is "I/N" for a shard of a run (--shard), of which Sent,
		// Failed and Skipped are the shard's part.
		Shard string `json:"shard,omitempty"`
	} `json:"summary"`
}

func (o *emitOutput) summary(s mock.Summary, b mock.Batch, open *mock.Open) {
	if o.bar != nil {
		_ = o.bar.Finish()
	}
	fig := s.Figures()
	if o.f.asJSON {
		var line summaryLine
		l := &line.Summary
		l.Sent, l.Failed, l.Skipped, l.Attempts = s.Sent, s.Failed, s.Skipped, s.Attempts
		l.P50MS, l.P99MS, l.EventsPerSec, l.ElapsedMS = ms(s.P50), ms(s.P99), s.Rate(), ms(s.Elapsed)
		if b.Body == nil {
			l.Seed = &b.Seed
		}
		l.Model = "closed"
		if open != nil {
			l.Model, l.Rate, l.DurationMs = "open", open.Rate.String(), ms(open.Duration)
		}
		l.P90MS, l.P999MS, l.MaxMS = fig.Latency.P90Ms, fig.Latency.P999Ms, fig.Latency.MaxMs
		l.Retries, l.Waited, l.Statuses, l.Errors, l.Events = fig.Retries, fig.Waited, fig.Statuses, fig.Errors, fig.Events
		if b.Shard.Count > 0 {
			l.Shard = fmt.Sprintf("%d/%d", b.Shard.Index, b.Shard.Count)
		}
		out, _ := json.Marshal(line)
		o.w.Write(out)
		o.w.WriteByte('\n')
		return
	}
	maxInFlight := 0
	if open != nil {
		maxInFlight = open.MaxInFlight
	}
	writeSummary(o.w, fig, o.width, maxInFlight, open != nil || s.Sent+s.Failed >= progressMin)
}

// writeSummary prints a run's summary as emit and report merge print it:
// with table, the latency table and the statuses, retries and failures
// (writeFigures), then one line of totals. width is that of the longest
// event name; maxInFlight is --max-in-flight for a --rate run, 0
// otherwise.
func writeSummary(w io.Writer, s loadreport.Summary, width, maxInFlight int, table bool) {
	if table {
		writeFigures(w, s, width)
	}
	fmt.Fprintf(w, "%d sent, %d failed", s.Sent, s.Failed)
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", %d not sent", s.Skipped)
	}
	fmt.Fprintf(w, ", p50 %s, p99 %s, %.0f events/s (%s, %s in %s)",
		loadreport.Duration(s.Latency.P50Ms).Round(10*time.Microsecond), loadreport.Duration(s.Latency.P99Ms).Round(10*time.Microsecond),
		s.Throughput, countOf(int(s.Attempts), "attempt"), countOf(int(s.Sent+s.Failed), "delivery"),
		loadreport.Duration(s.ElapsedMs).Round(time.Millisecond))
	if s.Waited > 0 {
		fmt.Fprintf(w, "; %d waited for a slot (--max-in-flight %d)", s.Waited, maxInFlight)
	}
	fmt.Fprintln(w)
}

// writeFigures prints the latency table, overall and per event, then the
// statuses, retries and failures by kind; width is that of the longest
// event name.
func writeFigures(out io.Writer, s loadreport.Summary, width int) {
	w := max(width, len("latency"))
	fmt.Fprintf(out, "%-*s %8s %10s %10s %10s %10s %10s\n", w, "latency", "count", "p50", "p90", "p99", "p99.9", "max")
	row := func(name string, p loadreport.Percentiles) {
		d := func(v float64) string { return loadreport.Duration(v).Round(10 * time.Microsecond).String() }
		fmt.Fprintf(out, "%-*s %8d %10s %10s %10s %10s %10s\n", w, name, p.Count, d(p.P50Ms), d(p.P90Ms), d(p.P99Ms), d(p.P999Ms), d(p.MaxMs))
	}
	row("all", s.Latency)
	if len(s.Events) > 1 {
		for _, name := range s.EventNames() {
			row(name, s.Events[name])
		}
	}
	fmt.Fprintf(out, "statuses: %s; retries: %d; failures: %s\n", counts(s.Statuses), s.Retries, counts(s.Errors))
}

// counts prints "200 ×98, 503 ×2", sorted, or "none".
func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func (o *emitOutput) close() { _ = o.w.Flush() }

// countOf returns "1 attempt", "2 attempts", "3 deliveries".
func countOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// oneLine shortens s to n bytes on one line, for a log line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
