package loadreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The page of WriteHTML is html.tmpl: plain HTML and CSS with SVG charts
// drawn here, no script and nothing fetched, so that it opens anywhere,
// offline, and can be attached to a ticket as one file.
//
//go:embed html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"num": num,
	"ms":  formatMs,
}).Parse(pageSource))

// Geometry of every chart, in SVG user units: the viewBox is chartW by
// chartH, the plot area is inset by these margins.
const (
	chartW      = 960.0
	chartH      = 300.0
	marginLeft  = 72.0
	marginRight = 40.0
	marginTop   = 36.0
	marginBot   = 48.0
	// decades is how far the distribution's x axis goes: 5 decades of
	// 1/(1-q), that is up to the 99.999th percentile.
	decades = 5
	// curvePoints is the number of points of the distribution's curve.
	curvePoints = 200
)

// WriteHTML writes res as one self-contained HTML page: the latency over
// time (p50, p99 and max per second) with the deliveries and failures per
// second, the latency distribution (a percentile curve of the overall HDR
// histogram on a logarithmic axis, as HdrHistogram's plots draw it), the
// summary table overall and per event, and the run's settings. The page
// holds inline CSS and SVG, no script, and fetches nothing. Every text from
// the run (event names, the target) is escaped. It errors with
// ErrBadResults when the overall histogram does not decode, and with the
// error of w.
func WriteHTML(w io.Writer, res *Results) error {
	overall, err := res.Overall()
	if err != nil {
		return err
	}
	p := page{Res: res, Sum: res.Summary, Settings: settingRows(res)}
	p.Rows = append(p.Rows, latencyRow{Name: "all", P: res.Summary.Latency})
	for _, name := range res.Summary.EventNames() {
		p.Rows = append(p.Rows, latencyRow{Name: name, P: res.Summary.Events[name]})
	}
	p.Over = overTime(res.Settings.Model, res.Series)
	p.Count = countChart(res)
	p.Dist = distribution(overall)
	for _, c := range []*chart{&p.Over, &p.Count, &p.Dist} {
		c.placeLegend()
	}
	// Rendered whole first, so that w never gets half a page.
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// WriteHTMLFile writes the page of WriteHTML to path atomically, as Write
// writes the result file: path never holds half a page. It errors with
// ErrBadResults as WriteHTML does, and with ErrUnwritable.
func (res *Results) WriteHTMLFile(path string) error {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, res); err != nil {
		return err
	}
	return writeFile(path, buf.Bytes())
}

// page is what html.tmpl renders.
type page struct {
	Res      *Results
	Sum      Summary
	Settings []setting
	Rows     []latencyRow
	Over     chart
	Count    chart
	Dist     chart
}

type setting struct{ Name, Value string }

type latencyRow struct {
	Name string
	P    Percentiles
}

// chart is one SVG chart, already laid out: every coordinate is in the
// viewBox, finite.
type chart struct {
	ID, Title      string
	XLabel, YLabel string
	// Empty, when set, is said in the middle of the plot instead of data.
	Empty  string
	XTicks []tick
	YTicks []tick
	Lines  []line
	Bars   []bar
	Legend []legend
}

// Geometry for the template.
func (chart) W() float64       { return chartW }
func (chart) H() float64       { return chartH }
func (chart) Left() float64    { return marginLeft }
func (chart) Right() float64   { return chartW - marginRight }
func (chart) Top() float64     { return marginTop }
func (chart) Bottom() float64  { return chartH - marginBot }
func (chart) MidX() float64    { return (marginLeft + chartW - marginRight) / 2 }
func (chart) MidY() float64    { return (marginTop + chartH - marginBot) / 2 }
func (chart) TickEnd() float64 { return chartH - marginBot + 5 }

type tick struct {
	Pos   float64
	Label string
}

// line is a polyline and its points, which carry their values as data
// attributes (data-x, data-ms) and a tooltip.
type line struct {
	Series string // data-series and CSS class: p50, p99, max, rate, dist
	Points string
	Dots   []dot
	R      float64 // the dots' radius
}

type dot struct {
	X, Y  float64
	DataX string
	Value float64
	Title string
}

// bar is a bar of deliveries (data-count) in a second (data-second).
type bar struct {
	X, Y, W, H float64
	Class      string
	Second     int
	Count      int64
	Title      string
}

type legend struct {
	Class, Label string
	X            float64
}

// placeLegend sets the legend's entries side by side from the plot's left,
// each as wide as its label at about 7 units a character.
func (c *chart) placeLegend() {
	x := marginLeft
	for i := range c.Legend {
		c.Legend[i].X = x
		x += 20 + 7*float64(len(c.Legend[i].Label)) + 18
	}
}

// num formats a coordinate or a figure for an attribute: at most two
// decimals, and 0 for anything not finite, so that no NaN reaches the SVG.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// formatMs prints a figure in milliseconds as the terminal summary does.
func formatMs(v float64) string { return Duration(v).Round(10 * time.Microsecond).String() }

// scale maps v from [lo, hi] onto [a, b]; a degenerate range maps to a.
func scale(v, lo, hi, a, b float64) float64 {
	if !(hi > lo) || math.IsNaN(v) || math.IsInf(v, 0) {
		return a
	}
	return a + (v-lo)/(hi-lo)*(b-a)
}

// niceTicks returns about n ticks from 0 to a round top at or above hi, a
// step of 1, 2, 2.5 or 5 times a power of ten (at least minStep), the top,
// and the decimals that the step's labels need.
func niceTicks(hi float64, n int, minStep float64) ([]float64, float64, int) {
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = minStep
	}
	raw := hi / float64(n)
	exp := math.Floor(math.Log10(raw))
	mag := math.Pow(10, exp)
	step, decimals := 10*mag, -exp-1
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step, decimals = m*mag, -exp
			if m == 2.5 {
				decimals++
			}
			break
		}
	}
	if step < minStep {
		step, decimals = minStep, -math.Floor(math.Log10(minStep))
	}
	k := int(math.Ceil(hi/step - 1e-9))
	vals := make([]float64, 0, k+1)
	for i := 0; i <= k; i++ {
		vals = append(vals, float64(i)*step)
	}
	return vals, float64(k) * step, max(0, int(decimals))
}

// yAxis lays out a linear y axis from 0 to a round top at or above hi, or
// to 1 when there is nothing to show.
func yAxis(hi float64) (ticks []tick, top float64) {
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = 1
	}
	vals, top, decimals := niceTicks(hi, 5, 0.01)
	for _, v := range vals {
		ticks = append(ticks, tick{Pos: scale(v, 0, top, chartH-marginBot, marginTop), Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ticks, top
}

// secondsAxis lays out the x axis of the per-second charts: n seconds, a
// second s drawn at its middle.
func secondsAxis(n int) (ticks []tick, x func(s float64) float64) {
	x = func(s float64) float64 { return scale(s, 0, float64(n), marginLeft, chartW-marginRight) }
	vals, _, _ := niceTicks(float64(n), 8, 1)
	for _, v := range vals {
		if v <= float64(n) {
			ticks = append(ticks, tick{Pos: x(v), Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
	}
	return ticks, x
}

// seconds is the length of the series' x axis: up to the last second with
// deliveries, at least one.
func seconds(series []Second) int {
	n := 1
	if len(series) > 0 {
		n = max(n, series[len(series)-1].Second+1)
	}
	return n
}

// secondsLabel is the x label of the per-second charts of a run of model.
func secondsLabel(model string) string {
	if model == "open" {
		return "seconds since the start of the run (deliveries by scheduled time)"
	}
	return "seconds since the start of the run (deliveries by start time)"
}

// overTime draws p50, p99 and max per second, max first so that the
// others are drawn over it where they meet.
func overTime(model string, series []Second) chart {
	c := chart{ID: "latency-over-time", Title: "Latency over time", XLabel: secondsLabel(model), YLabel: "latency (ms)",
		Legend: []legend{{Class: "p50", Label: "p50"}, {Class: "p99", Label: "p99"}, {Class: "max", Label: "max"}}}
	if len(series) == 0 {
		c.Empty = "no deliveries"
	}
	hi := 0.0
	for _, s := range series {
		hi = max(hi, s.MaxMs, s.P99Ms, s.P50Ms)
	}
	var top float64
	c.YTicks, top = yAxis(hi)
	var x func(float64) float64
	n := seconds(series)
	c.XTicks, x = secondsAxis(n)
	// Dots shrink as seconds get many, so that they stay apart.
	r := min(3.5, max(1.2, (chartW-marginLeft-marginRight)/float64(n)/3))
	for _, name := range []string{"max", "p99", "p50"} {
		l := line{Series: name, R: r}
		pts := make([]string, 0, len(series))
		for _, s := range series {
			v := map[string]float64{"p50": s.P50Ms, "p99": s.P99Ms, "max": s.MaxMs}[name]
			d := dot{X: x(float64(s.Second) + 0.5), Y: scale(v, 0, top, chartH-marginBot, marginTop), DataX: strconv.Itoa(s.Second), Value: v,
				Title: fmt.Sprintf("second %d: %s %s (%d deliveries, %d failed)", s.Second, name, formatMs(v), s.Count, s.Errors)}
			l.Dots = append(l.Dots, d)
			pts = append(pts, num(d.X)+","+num(d.Y))
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	return c
}

// countChart draws the deliveries due per second, the failed ones stacked
// on top in red, and the asked rate of an open run as a dashed line.
func countChart(res *Results) chart {
	st := res.Settings
	c := chart{ID: "deliveries-per-second", Title: "Deliveries per second", XLabel: secondsLabel(st.Model), YLabel: "deliveries per second",
		Legend: []legend{{Class: "ok", Label: "delivered"}, {Class: "failed", Label: "failed"}}}
	if len(res.Series) == 0 {
		c.Empty = "no deliveries"
	}
	n := seconds(res.Series)
	hi := 0.0
	for _, s := range res.Series {
		hi = max(hi, float64(s.Count))
	}
	open := st.Model == "open" && st.RateFrom > 0
	if open {
		hi = max(hi, st.RateFrom, st.RateTo)
		c.Legend = append(c.Legend, legend{Class: "rate", Label: "asked rate (--rate)"})
	}
	var top float64
	c.YTicks, top = yAxis(hi)
	var x func(float64) float64
	c.XTicks, x = secondsAxis(n)
	y := func(v float64) float64 { return scale(v, 0, top, chartH-marginBot, marginTop) }
	w := (x(1) - x(0)) * 0.8
	for _, s := range res.Series {
		left := x(float64(s.Second)) + (x(1)-x(0)-w)/2
		ok := float64(s.Count - s.Errors)
		title := fmt.Sprintf("second %d: %d deliveries, %d failed", s.Second, s.Count, s.Errors)
		c.Bars = append(c.Bars, bar{X: left, Y: y(ok), W: w, H: y(0) - y(ok), Class: "ok", Second: s.Second, Count: s.Count - s.Errors, Title: title})
		if s.Errors > 0 {
			c.Bars = append(c.Bars, bar{X: left, Y: y(float64(s.Count)), W: w, H: y(ok) - y(float64(s.Count)), Class: "failed", Second: s.Second, Count: s.Errors, Title: title})
		}
	}
	if open {
		end := min(st.DurationMs/1000, float64(n))
		if !(end > 0) {
			end = float64(n)
		}
		c.Lines = append(c.Lines, line{Series: "rate", Points: num(x(0)) + "," + num(y(st.RateFrom)) + " " + num(x(end)) + "," + num(y(st.RateTo))})
	}
	return c
}

// distribution draws the percentile curve of h, a histogram of
// microseconds: latency against percentile, the x axis logarithmic in
// 1/(1-q) so that the tail, p99 to p99.999, gets as much room as the rest.
func distribution(h *hdrhistogram.Histogram) chart {
	c := chart{ID: "latency-distribution", Title: "Latency distribution", XLabel: "percentile (logarithmic: each step is ten times rarer)", YLabel: "latency (ms)",
		Legend: []legend{{Class: "dist", Label: "all deliveries"}}}
	x := func(d float64) float64 { return scale(d, 0, decades, marginLeft, chartW-marginRight) }
	for d, label := range []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"} {
		c.XTicks = append(c.XTicks, tick{Pos: x(float64(d)), Label: label})
	}
	c.XTicks = append(c.XTicks, tick{Pos: x(math.Log10(2)), Label: "50%"})
	if h.TotalCount() == 0 {
		c.Empty = "no deliveries"
		c.YTicks, _ = yAxis(0)
		return c
	}
	maxMs := float64(h.Max()) / 1000
	var top float64
	c.YTicks, top = yAxis(maxMs)
	y := func(v float64) float64 { return scale(v, 0, top, chartH-marginBot, marginTop) }
	at := func(d float64) float64 {
		q := 100 * (1 - math.Pow(10, -d))
		return min(float64(h.ValueAtQuantile(q))/1000, maxMs)
	}
	l := line{Series: "dist", R: 3.5}
	pts := make([]string, 0, curvePoints+1)
	for i := 0; i <= curvePoints; i++ {
		d := decades * float64(i) / curvePoints
		pts = append(pts, num(x(d))+","+num(y(at(d))))
	}
	l.Points = strings.Join(pts, " ")
	for _, m := range []struct {
		d     float64
		label string
	}{{math.Log10(2), "p50"}, {1, "p90"}, {2, "p99"}, {3, "p99.9"}, {4, "p99.99"}, {5, "p99.999"}} {
		v := at(m.d)
		l.Dots = append(l.Dots, dot{X: x(m.d), Y: y(v), DataX: m.label, Value: v, Title: m.label + ": " + formatMs(v)})
	}
	c.Lines = append(c.Lines, l)
	return c
}

// settingRows lists the run's settings that were set, for the settings
// table.
func settingRows(res *Results) []setting {
	st := res.Settings
	rows := []setting{{"target", st.Target}}
	add := func(name, value string) { rows = append(rows, setting{name, value}) }
	switch st.Model {
	case "open":
		add("model", "open: a fixed arrival rate, whatever the receiver does")
		rate := st.Rate
		if st.RateFrom != st.RateTo {
			rate += fmt.Sprintf(" (a ramp from %s/s to %s/s)", num(st.RateFrom), num(st.RateTo))
		}
		add("rate", rate)
		add("duration", Duration(st.DurationMs).String())
		add("max in flight", strconv.Itoa(st.MaxInFlight))
	case "closed":
		add("model", "closed: a fixed number of deliveries under way")
		add("concurrency", strconv.Itoa(st.Concurrency))
	default:
		add("model", st.Model)
	}
	if st.Count > 0 {
		add("count", strconv.Itoa(st.Count))
	}
	add("events", strings.Join(st.Events, ", "))
	if st.Seed != nil {
		add("seed", strconv.FormatUint(*st.Seed, 10)+" (delivery i carries seed+i)")
	} else {
		add("seed", "none: a fixed body was sent")
	}
	if st.ShardCount > 0 {
		add("shard", fmt.Sprintf("%d of %d", st.ShardIndex, st.ShardCount))
	}
	if !st.Started.IsZero() {
		add("started", st.Started.UTC().Format(time.RFC3339))
	}
	add("elapsed", Duration(res.Summary.ElapsedMs).Round(time.Millisecond).String())
	return rows
}
