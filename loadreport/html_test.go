package loadreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// element is a start tag of the page, with the id of the chart (svg) it is
// in, if any.
type element struct {
	name  string
	attrs map[string]string
	chart string
}

// parsePage parses the page as XML, which it is written to be (every
// element closed, attributes quoted), so that a stray '<' from an
// unescaped name or an unclosed tag fails the parse. It returns the start
// tags and the text.
func parsePage(t *testing.T, page string) ([]element, string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	var els []element
	var text strings.Builder
	var chart string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the page is well formed")
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, attrs: map[string]string{}, chart: chart}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if e.name == "svg" {
				chart = e.attrs["id"]
			}
			els = append(els, e)
		case xml.EndElement:
			if tok.Name.Local == "svg" {
				chart = ""
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	return els, text.String()
}

// find returns the elements named name in chart whose attributes include
// those given.
func find(els []element, chart, name string, attrs map[string]string) []element {
	var out []element
next:
	for _, e := range els {
		if e.name != name || e.chart != chart {
			continue
		}
		for k, v := range attrs {
			if e.attrs[k] != v {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

// results returns the result file's content of the deliveries given, as
// an open run of rate/s.
func results(t *testing.T, settings Settings, ds []Delivery) *Results {
	t.Helper()
	r := NewRecorder()
	for _, d := range ds {
		r.Record(d)
	}
	sum := r.Summary()
	sum.SetElapsed(time.Duration(settings.DurationMs) * time.Millisecond)
	res, err := r.Results(settings, sum)
	require.NoError(t, err)
	return res
}

// steady returns n deliveries of event due at rate/s, each taking latency.
func steady(event string, n, rate int, latency time.Duration) []Delivery {
	ds := make([]Delivery, n)
	for i := range ds {
		ds[i] = Delivery{Event: event, At: time.Duration(i) * time.Second / time.Duration(rate), Latency: latency, Status: 200, Attempts: 1, OK: true}
	}
	return ds
}

func openSettings(rate float64, d time.Duration, events ...string) Settings {
	seed := uint64(7)
	return Settings{Model: "open", Rate: strconv.FormatFloat(rate, 'f', -1, 64) + "/s", RateFrom: rate, RateTo: rate,
		DurationMs: float64(d.Milliseconds()), MaxInFlight: 1000, Events: events, Seed: &seed, Target: "http://127.0.0.1:8080/hooks",
		Started: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)}
}

func TestWriteHTML(t *testing.T) {
	stalled := steady("user.created", 150, 50, 2*time.Millisecond)
	stalled[60].Latency = time.Second // due in second 1
	sharded := openSettings(10, time.Second, "user.created")
	sharded.ShardIndex, sharded.ShardCount = 2, 4
	hostile := `<script>alert(1)</script>`
	hostileTarget := `https://example.com/"><img src=x onerror=alert(2)>`
	evil := openSettings(20, time.Second, hostile)
	evil.Target = hostileTarget
	tests := []struct {
		name     string
		res      *Results
		seconds  int     // points of each latency-over-time line
		stallMs  float64 // a max point at least this high, when set
		noData   bool
		contains []string
	}{
		{name: "normal", res: func() *Results {
			st := openSettings(333, 3*time.Second, "user.created", "user.deleted")
			st.Rate, st.RateFrom, st.RateTo = "100/s:500/s", 100, 500
			res, err := recorded().Results(st, recorded().Summary())
			require.NoError(t, err)
			return res
		}(), seconds: 3, contains: []string{"user.deleted", "100/s:500/s (a ramp from 100/s to 500/s)", "rejected", "503", "seed"}},
		{name: "zero deliveries", res: results(t, openSettings(10, time.Second, "user.created"), nil), noData: true, contains: []string{"no deliveries"}},
		{name: "one second", res: results(t, sharded, steady("user.created", 10, 10, time.Millisecond)), seconds: 1, contains: []string{"2 of 4"}},
		{name: "one delivery", res: results(t, Settings{Model: "closed", Concurrency: 1, Events: []string{"user.created"}, Target: "http://127.0.0.1/"},
			steady("user.created", 1, 1, 0)), seconds: 1, contains: []string{"concurrency", "none: a fixed body was sent"}},
		{name: "stalled", res: results(t, openSettings(50, 3*time.Second, "user.created"), stalled), seconds: 3, stallMs: 900},
		{name: "hostile names", res: results(t, evil, steady(hostile, 20, 20, time.Millisecond)), seconds: 1, contains: []string{hostile, hostileTarget}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteHTML(&buf, tc.res))
			page := buf.String()
			assert.NotContains(t, page, "NaN")
			assert.NotContains(t, page, "Inf")
			assert.NotContains(t, page, "<script", "no script, and no name let through unescaped")
			assert.NotContains(t, page, "<img")
			assert.NotContains(t, page, "http-equiv")
			els, text := parsePage(t, page)
			for _, e := range els {
				assert.NotContains(t, []string{"script", "img", "link", "iframe"}, e.name, "nothing is fetched or run")
				for k, v := range e.attrs {
					assert.False(t, strings.HasPrefix(k, "on"), "no event handler attribute: %s=%q", k, v)
					assert.NotContains(t, []string{"href", "src"}, k, "nothing is fetched")
				}
			}
			for _, s := range tc.contains {
				assert.Contains(t, text, s)
			}

			for _, id := range []string{"latency-over-time", "deliveries-per-second", "latency-distribution"} {
				assert.Len(t, find(els, "", "svg", map[string]string{"id": id}), 1, "the %s chart", id)
				assert.NotEmpty(t, find(els, id, "text", nil), "the %s chart has labels", id)
			}
			for _, s := range []string{"p50", "p99", "max"} {
				lines := find(els, "latency-over-time", "polyline", map[string]string{"data-series": s})
				require.Len(t, lines, 1, "one %s line", s)
				assert.Len(t, strings.Fields(lines[0].attrs["points"]), tc.seconds, "one point per second")
				assert.Len(t, find(els, "latency-over-time", "circle", map[string]string{"data-series": s}), tc.seconds)
			}
			assert.Len(t, find(els, "deliveries-per-second", "rect", map[string]string{"class": "ok"}), tc.seconds, "one bar per second")
			dist := find(els, "latency-distribution", "polyline", map[string]string{"data-series": "dist"})
			rows := find(els, "", "tr", nil)
			if tc.noData {
				assert.Empty(t, dist)
				return
			}
			require.Len(t, dist, 1)
			assert.Len(t, strings.Fields(dist[0].attrs["points"]), curvePoints+1)
			assert.Len(t, find(els, "", "tr", map[string]string{"data-event": "all"}), 1, "the overall row")
			for _, name := range tc.res.Summary.EventNames() {
				assert.Len(t, find(els, "", "tr", map[string]string{"data-event": name}), 1, "the row of %s", name)
			}
			assert.NotEmpty(t, rows)

			maxMs := 0.0
			points := find(els, "latency-over-time", "circle", map[string]string{"data-series": "max"})
			for i, c := range points {
				v, err := strconv.ParseFloat(c.attrs["data-ms"], 64)
				require.NoError(t, err)
				assert.InDelta(t, tc.res.Series[i].MaxMs, v, 0.01, "the point of second %d is its max", i)
				assert.Equal(t, strconv.Itoa(tc.res.Series[i].Second), c.attrs["data-x"])
				maxMs = max(maxMs, v)
				y, err := strconv.ParseFloat(c.attrs["cy"], 64)
				require.NoError(t, err)
				assert.True(t, y >= marginTop-0.01 && y <= chartH-marginBot+0.01, "a point within the plot: cy=%v", y)
			}
			if tc.stallMs > 0 {
				assert.GreaterOrEqual(t, maxMs, tc.stallMs, "the stall shows in the max line")
			}
		})
	}
}

// TestWriteHTMLRefusesABadHistogram: a result whose histogram does not
// decode is refused with ErrBadResults, and nothing is written.
func TestWriteHTMLRefusesABadHistogram(t *testing.T) {
	res := results(t, openSettings(10, time.Second, "user.created"), steady("user.created", 3, 10, time.Millisecond))
	res.Histograms.Overall = "!"
	var buf bytes.Buffer
	require.ErrorIs(t, WriteHTML(&buf, res), ErrBadResults)
	assert.Zero(t, buf.Len())
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		hi      float64
		n       int
		minStep float64
		top     float64
		count   int
	}{
		{hi: 1000, n: 5, minStep: 0.01, top: 1000, count: 6},
		{hi: 1001, n: 5, minStep: 0.01, top: 1250, count: 6},
		{hi: 0, n: 5, minStep: 0.01, top: 0.01, count: 2},
		{hi: 2.3, n: 5, minStep: 0.01, top: 2.5, count: 6},
		{hi: 1, n: 8, minStep: 1, top: 1, count: 2},
		{hi: 37, n: 8, minStep: 1, top: 40, count: 9},
	}
	for _, tc := range tests {
		vals, top, _ := niceTicks(tc.hi, tc.n, tc.minStep)
		assert.InDelta(t, tc.top, top, 1e-9, "top for %v", tc.hi)
		assert.Len(t, vals, tc.count, "ticks for %v: %v", tc.hi, vals)
	}
}
