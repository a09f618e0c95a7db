// Package browser starts headless Chromium for the browser tests (the mock
// Userfront's dashboard, the load report), as package hooktest starts
// servers: Debian's chromium, driven by chromedp, for the length of a test.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the path of Debian's chromium. Outside CI a missing
// browser skips the test, saying why with what; under CI (CI set) it fails
// the test, since .ci/run installs it.
func Chromium(t testing.TB, what string) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but chromium is not installed: .ci/run should have run apt-get install -y chromium")
	}
	t.Skipf("chromium is not installed, so %s cannot run here (apt-get install -y chromium; CI runs it)", what)
	return ""
}

// Artifacts returns the folder where screenshots go, made if need be:
// $UFHOOK_ARTIFACTS, or artifacts/ beside the module's go.mod (gitignored).
func Artifacts(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("UFHOOK_ARTIFACTS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		for root := wd; ; root = filepath.Dir(root) {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				dir = filepath.Join(root, "artifacts")
				break
			}
			if filepath.Dir(root) == root {
				t.Fatalf("browser: no go.mod above %s: set UFHOOK_ARTIFACTS", wd)
			}
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatalf("browser: %v", err)
	}
	return abs
}

// New starts headless chromium, exe, for the length of the test (at most
// 90 s) and returns its context.
func New(t testing.TB, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}
