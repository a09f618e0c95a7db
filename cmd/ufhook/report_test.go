package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ufhook/ufhook/hooktest/browser"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/loadreport"
)

// emitResults runs a short --rate run against a fresh receiver and
// returns the path of its result file.
func emitResults(t *testing.T) string {
	t.Helper()
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "run.json")
	code, _, stderr := runCLI(t, "emit", "user.created", "user.deleted", "--target", srv.URL, "--token", emitToken,
		"--rate", "100/s", "--count", "10", "--results", path, "-q")
	require.Equal(t, exitOK, code, stderr)
	return path
}

// TestReportHTML: report html prints the page of a result file on stdout,
// or writes the same page to -o.
func TestReportHTML(t *testing.T) {
	results := emitResults(t)
	code, page, stderr := runCLI(t, "report", "html", results)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, page, "<!DOCTYPE html>")
	assert.Contains(t, page, `<svg id="latency-over-time"`)
	assert.Contains(t, page, `<tr data-event="user.deleted">`)

	out := filepath.Join(t.TempDir(), "run.html")
	code, stdout, stderr := runCLI(t, "report", "html", results, "-o", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, page, string(data), "the same page on stdout and in -o")
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	code, stdout, stderr = runCLI(t, "report", "html", results, "-o", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, page, stdout, "-o - is stdout")

	code, help, _ := runCLI(t, "report")
	require.Equal(t, exitOK, code)
	assert.Contains(t, help, "html")
	assert.Contains(t, help, "Render a result file")
}

// TestReportHTMLRefusesBadInput: a missing, unreadable or invalid result
// file, a wrong number of arguments and an unwritable -o exit 2 with what
// to do, and write nothing.
func TestReportHTMLRefusesBadInput(t *testing.T) {
	results := emitResults(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		return p
	}
	notJSON := write("not.json", "<html>")
	version2 := write("v2.json", `{"version": 2}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no file", args: []string{"report", "html"}, want: "takes one result file, written by 'ufhook emit --results FILE.json'"},
		{name: "two files", args: []string{"report", "html", results, results}, want: "takes one result file"},
		{name: "missing file", args: []string{"report", "html", filepath.Join(dir, "nope.json")}, want: "no such result file (write one with 'ufhook emit ... --results FILE.json')"},
		{name: "a directory", args: []string{"report", "html", dir}, want: "give a readable result file"},
		{name: "not JSON", args: []string{"report", "html", notJSON}, want: "give a result file written by 'ufhook emit --results FILE.json'"},
		{name: "another version", args: []string{"report", "html", version2}, want: "read it with the ufhook that wrote it"},
		{name: "output in a missing directory", args: []string{"report", "html", results, "-o", filepath.Join(dir, "missing", "run.html")}, want: "existing directory that you can write to"},
		{name: "output is a directory", args: []string{"report", "html", results, "-o", dir}, want: "give a file name"},
		{name: "unknown subcommand", args: []string{"report", "pdf"}, want: `unknown command "pdf" for ufhook report`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
			assert.Empty(t, stdout)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "nothing was written beside the inputs")
}

// TestEmitReportRefusesAnUnwritablePath: --report is checked before
// anything is sent, as --results is.
func TestEmitReportRefusesAnUnwritablePath(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	code, _, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
		"--report", filepath.Join(t.TempDir(), "missing", "run.html"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--report")
	assert.Contains(t, stderr, "existing directory that you can write to")
	assert.Zero(t, rec.Len(), "nothing is sent")
}

// chartsJS reads, in the browser, what each chart drew: its size on the
// page, the points of the latency-over-time lines and the values they
// carry, and the bars of deliveries per second.
const chartsJS = `(() => {
  const size = id => { const r = document.getElementById(id).getBoundingClientRect(); return {w: r.width, h: r.height}; };
  const over = document.getElementById('latency-over-time');
  const line = s => over.querySelector('polyline[data-series="' + s + '"]').points.numberOfItems;
  const values = s => Array.from(over.querySelectorAll('circle[data-series="' + s + '"]'), c => parseFloat(c.dataset.ms));
  const visible = Array.from(over.querySelectorAll('circle'), c => { const r = c.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const counts = Array.from(document.querySelectorAll('#deliveries-per-second rect[data-second]'), r => parseInt(r.dataset.count, 10));
  return {
    sizes: ['latency-over-time', 'deliveries-per-second', 'latency-distribution'].map(size),
    points: {p50: line('p50'), p99: line('p99'), max: line('max')},
    p99: values('p99'), max: values('max'),
    allVisible: visible.length > 0 && visible.every(v => v),
    distPoints: document.querySelector('#latency-distribution polyline[data-series="dist"]').points.numberOfItems,
    delivered: counts.reduce((a, b) => a + b, 0),
    fits: document.documentElement.scrollWidth <= window.innerWidth,
  };
})()`

// charts is what chartsJS returns.
type charts struct {
	Sizes      []struct{ W, H float64 }
	Points     map[string]int
	P99, Max   []float64
	AllVisible bool
	DistPoints int
	Delivered  int
	Fits       bool
}

// TestEmitReportInBrowser runs 50/s for 2 s against a receiver that
// stalls its first answer for one second, with --results and --report,
// opens the report in headless chromium and checks that the charts
// render, with one point per second, and that the stall shows in the p99
// and max lines; report html draws the same page from the result file.
func TestEmitReportInBrowser(t *testing.T) {
	exe := browser.Chromium(t, "the report's browser test")
	rec := hooktest.NewRecorder()
	var stalled atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stalled.CompareAndSwap(false, true) {
			time.Sleep(time.Second)
		}
		rec.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	results, report := filepath.Join(dir, "run.json"), filepath.Join(dir, "run.html")
	code, _, stderr := runCLI(t, "emit", "user.created", "--target", srv.URL, "--token", emitToken,
		"--rate", "50/s", "--duration", "2s", "--results", results, "--report", report, "-q")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, 100, rec.Len())
	res, err := loadreport.Read(results)
	require.NoError(t, err)
	require.Len(t, res.Series, 2, "two seconds")
	page, err := os.ReadFile(report)
	require.NoError(t, err)
	code, again, stderr := runCLI(t, "report", "html", results)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(page), again, "report html draws the page that emit --report wrote")

	bctx := browser.New(t, exe)
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate("file://"+report),
		chromedp.WaitVisible(`#latency-over-time`),
	))
	got, err := chromedp.Run(bctx, chromedp.Evaluate[charts](chartsJS))
	require.NoError(t, err)
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	p := filepath.Join(browser.Artifacts(t), "report-stall.png")
	require.NoError(t, os.WriteFile(p, shot, 0o644))
	t.Logf("screenshot: %s", p)

	require.Len(t, got.Sizes, 3)
	for i, s := range got.Sizes {
		assert.Greater(t, s.W, 300.0, "chart %d has a width", i)
		assert.Greater(t, s.H, 100.0, "chart %d has a height", i)
	}
	assert.Equal(t, map[string]int{"p50": 2, "p99": 2, "max": 2}, got.Points, "one point per second of the run")
	assert.True(t, got.AllVisible, "every point is drawn")
	assert.Equal(t, 201, got.DistPoints)
	assert.Equal(t, 100, got.Delivered, "the bars count every delivery")
	assert.True(t, got.Fits, "no horizontal scrolling")
	require.Len(t, got.Max, 2)
	require.Len(t, got.P99, 2)
	assert.GreaterOrEqual(t, max(got.Max[0], got.Max[1]), 900.0, "the stall shows in the max line")
	assert.GreaterOrEqual(t, max(got.P99[0], got.P99[1]), 900.0, "the stall shows in the p99 line")
	assert.GreaterOrEqual(t, res.Summary.Latency.MaxMs, 900.0, "and in the figures")
}
