package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ufhook/ufhook/hooktest/browser"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/server"
)

// TestDashboardInBrowser drives the dashboard in headless chromium: it logs
// in through the printed login link, clicks "user.created", waits for the delivery
// to turn green through the live stream, opens it, and saves screenshots at
// desktop and phone width.
func TestDashboardInBrowser(t *testing.T) {
	exe := browser.Chromium(t, "the dashboard's browser test")
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	bctx := browser.New(t, exe)

	const delivered = `.delivery[data-event="user.created"][data-state="delivered"]`
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+srv.LoginPath()),
		chromedp.WaitVisible(`button[data-event="user.created"]`),
		chromedp.WaitVisible(`#live.on`), // the event stream is connected
		chromedp.Click(`button[data-event="user.created"]`),
		chromedp.WaitVisible(delivered),
		// the fired user is in the Users table, as POST /v0/users would put it
		chromedp.Poll[chromedp.Void](`document.querySelector('#users-count').textContent === '1' && document.querySelectorAll('#users tbody tr').length === 1`),
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

	dir := browser.Artifacts(t)
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
	exe := browser.Chromium(t, "the dashboard's browser test")
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	u, err := server.NewClient(srv.URL, adminKey, nil).CreateUser(context.Background(), server.Fields{"email": "jane.doe@example.com", "name": "Jane Doe"})
	require.NoError(t, err)
	require.Equal(t, "user.created", sk.next(t).Event)
	bctx := browser.New(t, exe)

	row := fmt.Sprintf(`[data-user="%d"]`, u.UserID)
	link := `button[data-send="user.login.link.email"]` + row
	const delivered = `.delivery[data-event="user.login.link.email"][data-state="delivered"]`
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+srv.LoginPath()),
		chromedp.WaitVisible(link),
		chromedp.WaitVisible(`#live.on`),
	))
	// The live stream may redraw the users table between finding the
	// button and clicking it; a click on the replaced node is tried again
	// on the new one, a bounded number of times.
	for try := 1; ; try++ {
		err := chromedp.Do(bctx, chromedp.Click(link))
		if err == nil || try == 5 || !strings.Contains(err.Error(), "No node with given id") {
			require.NoError(t, err)
			break
		}
	}
	require.NoError(t, chromedp.Do(bctx, chromedp.WaitVisible(delivered)))
	smsOff, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('button[data-send="user.login.code.sms"]`+row+`').disabled`))
	require.NoError(t, err)
	// Read in one step: the deliveries list may be redrawn meanwhile.
	label, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('`+delivered+` .label').textContent`))
	require.NoError(t, err)
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	p := filepath.Join(browser.Artifacts(t), "dashboard-login-link.png")
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

// hiddenJS is true when the element of a selector, and everything in it, is
// not rendered at all.
func hiddenJS(sel string) string {
	return `(() => { const e = document.querySelector('` + sel + `'); return e !== null && e.getClientRects().length === 0 && getComputedStyle(e).display === 'none'; })()`
}

// attackPage is a page on another port of this machine that, once opened,
// tries to fire a webhook on the dashboard at base with the browser's
// session cookie, as every cross-origin page can: a no-cors fetch, a JSON
// fetch (which needs a preflight) and, last, a form that posts JSON-looking
// text/plain.
func attackPage(t *testing.T, base string) string {
	t.Helper()
	page := `<!doctype html><title>attack</title>
<form id="f" method="POST" action="` + base + `/ui/fire" enctype="text/plain"><input type="hidden" name='{"event":"user.created","x":"' value='"}'></form>
<script>
(async () => {
  const body = JSON.stringify({ event: "user.created" });
  await fetch("` + base + `/ui/fire", { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body }).catch(() => {});
  await fetch("` + base + `/ui/fire", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body }).catch(() => {});
  await fetch("` + base + `/ui/deliveries/1/resend", { method: "POST", mode: "no-cors", credentials: "include", body: "{}" }).catch(() => {});
  document.title = "fetched";
  document.getElementById("f").submit();
})();
</script>`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(ts.Close)
	return strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
}

// TestDashboardLoginLogoutAndForgeryInBrowser opens the dashboard logged
// out (only the login form shows, not the empty app panels under it), logs
// in with the admin key, opens a page on another port that tries to fire a
// webhook with the session cookie (nothing is fired), and logs out.
func TestDashboardLoginLogoutAndForgeryInBrowser(t *testing.T) {
	exe := browser.Chromium(t, "the dashboard's browser test")
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	bctx := browser.New(t, exe)
	base := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#login-form`),
	))
	appHidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](hiddenJS("#app")))
	require.NoError(t, err)
	fireHidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('#fire').getClientRects().length === 0`))
	require.NoError(t, err)
	logoutHidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](hiddenJS("#logout")))
	require.NoError(t, err)
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	p := filepath.Join(browser.Artifacts(t), "dashboard-logged-out.png")
	require.NoError(t, os.WriteFile(p, shot, 0o644))
	t.Logf("screenshot: %s", p)
	assert.True(t, appHidden, "logged out, the app's panels are not shown")
	assert.True(t, fireHidden, "logged out, the fire buttons are not shown")
	assert.True(t, logoutHidden, "logged out, there is no logout button")

	require.NoError(t, chromedp.Do(bctx,
		chromedp.SendKeys(`#login-key`, adminKey),
		chromedp.Click(`#login-form button[type="submit"]`),
		chromedp.WaitVisible(`button[data-event="user.created"]`),
		chromedp.WaitVisible(`#logout`),
	))
	loginHidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](hiddenJS("#login")))
	require.NoError(t, err)
	assert.True(t, loginHidden, "logged in, the login form is gone")

	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(attackPage(t, base))))
	// The page's form navigates to the dashboard's answer; an evaluation
	// that the navigation interrupts is tried again.
	require.Eventually(t, func() bool {
		done, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`location.pathname === "/ui/fire" && document.readyState === "complete"`))
		return err == nil && done
	}, patience, 100*time.Millisecond, "the attack page ran and posted its form")
	answer, err := chromedp.Run(bctx, chromedp.Text(`body`))
	require.NoError(t, err)
	assert.Contains(t, answer, "Forbidden", "the attack page's form is refused")
	sk.none(t, 300*time.Millisecond)
	users := must(t, srv.URL, http.MethodGet, "/v0/users", nil)
	assert.Zero(t, users["totalCount"], "no forged request created a user")
	counts, err := srv.Counts(t.Context())
	require.NoError(t, err)
	assert.Zero(t, counts["pending"]+counts["delivered"]+counts["failed"], "no forged request queued a webhook")

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#logout`),
		chromedp.Click(`#logout`),
		chromedp.WaitVisible(`#login-form`),
	))
	appHidden, err = chromedp.Run(bctx, chromedp.Evaluate[bool](hiddenJS("#app")))
	require.NoError(t, err)
	assert.True(t, appHidden, "after logout, the app's panels are gone")
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Reload(),
		chromedp.WaitVisible(`#login-form`),
	))
	appHidden, err = chromedp.Run(bctx, chromedp.Evaluate[bool](hiddenJS("#app")))
	require.NoError(t, err)
	assert.True(t, appHidden, "after logout and a reload, the session is gone")
}
