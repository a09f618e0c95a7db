package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/server"
)

// chromium finds Debian's chromium. Outside CI a missing browser skips the
// test, saying why; under CI it fails, since .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but chromium is not installed: .ci/run should have run apt-get install -y chromium")
	}
	t.Skip("chromium is not installed, so the dashboard's browser test cannot run here (apt-get install -y chromium; CI runs it)")
	return ""
}

// artifactsDir is where screenshots go: $UFHOOK_ARTIFACTS, or artifacts/
// at the repository's root (gitignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UFHOOK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(abs, 0o755))
	return abs
}

// browser starts headless chromium, exe, for the length of the test (at
// most 90 s) and returns its context.
func browser(t *testing.T, exe string) context.Context {
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

// TestDashboardInBrowser drives the dashboard in headless chromium: it logs
// in through the printed login link, clicks "user.created", waits for the delivery
// to turn green through the live stream, opens it, and saves screenshots at
// desktop and phone width.
func TestDashboardInBrowser(t *testing.T) {
	exe := chromium(t)
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	bctx := browser(t, exe)

	const delivered = `.delivery[data-event="user.created"][data-state="delivered"]`
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+srv.LoginPath()),
		chromedp.WaitVisible(`button[data-event="user.created"]`),
		chromedp.WaitVisible(`#live.on`), // the event stream is connected
		chromedp.Click(`button[data-event="user.created"]`),
		chromedp.WaitVisible(delivered),
	))
	colour, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('`+delivered+`')).borderLeftColor`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Click(delivered),
		chromedp.WaitVisible(`#detail-attempts .ok`),
	))
	request, err := chromedp.Run(bctx, chromedp.Text(`#detail-request`))
	require.NoError(t, err)
	address, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.pathname + location.search + location.hash`))
	require.NoError(t, err)
	desktop, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.WaitVisible(`#detail`),
	))
	phoneFits, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	require.NoError(t, err)
	phone, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	d := sk.next(t)
	assert.Equal(t, "user.created", d.Event, "the click delivered a user.created webhook")
	assert.Equal(t, "rgb(18, 128, 92)", colour, "the delivered row is green")
	assert.Contains(t, request, "POST "+sk.URL)
	assert.Contains(t, request, "Authorization: Bearer uf_t…c2f")
	assert.NotContains(t, request, webhookToken, "the token is masked")
	assert.Equal(t, "/", address, "the login code is gone from the address bar")
	assert.True(t, phoneFits, "no horizontal scrolling at phone width")

	dir := artifactsDir(t)
	for name, img := range map[string][]byte{"dashboard-desktop.png": desktop, "dashboard-phone.png": phone} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, img, 0o644))
		t.Logf("screenshot: %s", p)
	}
}

// TestDashboardSendsALoginLinkInBrowser clicks a user's "link.email"
// button, as the user asking for a login link would, and waits for the
// delivery to turn green; the user's "code.sms" button is off, since the
// user has no phone number.
func TestDashboardSendsALoginLinkInBrowser(t *testing.T) {
	exe := chromium(t)
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	u, err := server.NewClient(srv.URL, adminKey, nil).CreateUser(context.Background(), server.Fields{"email": "jane.doe@example.com", "name": "Jane Doe"})
	require.NoError(t, err)
	require.Equal(t, "user.created", sk.next(t).Event)
	bctx := browser(t, exe)

	row := fmt.Sprintf(`[data-user="%d"]`, u.UserID)
	link := `button[data-send="user.login.link.email"]` + row
	const delivered = `.delivery[data-event="user.login.link.email"][data-state="delivered"]`
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+srv.LoginPath()),
		chromedp.WaitVisible(link),
		chromedp.WaitVisible(`#live.on`),
		chromedp.Click(link),
		chromedp.WaitVisible(delivered),
	))
	smsOff, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('button[data-send="user.login.code.sms"]`+row+`').disabled`))
	require.NoError(t, err)
	label, err := chromedp.Run(bctx, chromedp.Text(delivered+` .label`))
	require.NoError(t, err)
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	p := filepath.Join(artifactsDir(t), "dashboard-login-link.png")
	require.NoError(t, os.WriteFile(p, shot, 0o644))
	t.Logf("screenshot: %s", p)

	d := sk.next(t)
	require.NoError(t, d.Err)
	assert.Equal(t, "user.login.link.email", d.Event, "the click delivered a login link webhook")
	var env struct {
		Factor struct{ Email, UUID, URL string }
	}
	require.NoError(t, json.Unmarshal(d.Body, &env))
	assert.Equal(t, "jane.doe@example.com", env.Factor.Email)
	assert.Equal(t, u.UserUUID.String(), env.Factor.UUID)
	assert.Contains(t, env.Factor.URL, "uuid="+u.UserUUID.String())
	assert.True(t, smsOff, "no SMS code for a user without a phone number")
	assert.Contains(t, label, "jane.doe@example.com")
	assert.Contains(t, label, "dashboard")
}
