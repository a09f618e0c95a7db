package mock

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// emitter, server and cancelled delivery must clean up after itself.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = hooktest.Token

// fastRetry keeps the retry tests quick.
var fastRetry = RetryPolicy{Retries: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}

// catalog returns the events of the document in use.
func catalog(t testing.TB) []openapi.Event {
	t.Helper()
	evs, err := openapi.Events()
	require.NoError(t, err)
	return evs
}

func newEmitter(t *testing.T, cfg Config) *Emitter {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = token
	}
	e, err := NewEmitter(cfg)
	require.NoError(t, err)
	t.Cleanup(e.Close)
	return e
}

func TestSendHeadersAndBody(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	caFile := srv.CA.File
	e := newEmitter(t, Config{Target: srv.URL + "/hooks/userfront", CAFile: caFile, Mode: gen.ModeLive})
	for _, ev := range catalog(t) {
		t.Run(ev.Name, func(t *testing.T) {
			body, err := fake.Payload(ev, fake.Options{Seed: 3, Mode: gen.ModeLive})
			require.NoError(t, err)
			before := rec.Len()
			r := e.Send(context.Background(), ev, body)
			require.NoError(t, r.Err)
			assert.True(t, r.OK())
			assert.Equal(t, ev.Name, r.Event)
			assert.Equal(t, srv.URL+"/hooks/userfront", r.URL)
			assert.Equal(t, 200, r.Status)
			assert.Len(t, r.Attempts, 1)
			assert.Positive(t, r.Latency)
			assert.Equal(t, `{"received":true,"status":200}`, r.Excerpt)
			require.Equal(t, before+1, rec.Len())
			got := rec.Requests()[before]
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/hooks/userfront", got.URL.Path)
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.Equal(t, "Bearer "+token, got.Header.Get("Authorization"))
			assert.Equal(t, "ufhook/"+Version, got.Header.Get("User-Agent"))
			assert.Equal(t, string(body), string(got.Body))
		})
	}
}

func TestTLSVerification(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	caFile := srv.CA.File
	pool := srv.CA.Pool()
	body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})

	t.Run("unknown CA is refused and not retried", func(t *testing.T) {
		e := newEmitter(t, Config{Target: srv.URL, Retry: fastRetry})
		r := e.Send(context.Background(), openapi.MustLookup("user.created"), body)
		require.ErrorIs(t, r.Err, ErrTLS)
		assert.Contains(t, r.Err.Error(), "--ca")
		assert.Len(t, r.Attempts, 1)
		assert.Equal(t, 0, rec.Len(), "nothing reached the handler")
	})
	good := []struct {
		name string
		cfg  Config
	}{
		{"ca file", Config{CAFile: caFile}},
		{"insecure", Config{Insecure: true}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Target = srv.URL
			e := newEmitter(t, tc.cfg)
			r := e.Send(context.Background(), openapi.MustLookup("user.created"), body)
			require.NoError(t, r.Err)
		})
	}
	t.Run("ca file on top of RootCAs", func(t *testing.T) {
		e := newEmitter(t, Config{Target: srv.URL, RootCAs: x509.NewCertPool(), CAFile: caFile})
		require.NoError(t, e.Send(context.Background(), openapi.MustLookup("user.created"), body).Err)
	})
	t.Run("httptest's own certificate via RootCAs", func(t *testing.T) {
		plain := httptest.NewTLSServer(rec)
		defer plain.Close()
		e := newEmitter(t, Config{Target: plain.URL, RootCAs: plain.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
		require.NoError(t, e.Send(context.Background(), openapi.MustLookup("user.created"), body).Err)
		e2 := newEmitter(t, Config{Target: plain.URL, RootCAs: pool})
		require.ErrorIs(t, e2.Send(context.Background(), openapi.MustLookup("user.created"), body).Err, ErrTLS)
	})
}

func TestNewEmitterErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	base := Config{Target: "https://127.0.0.1:1/webhook", Token: token}
	cases := []struct {
		name    string
		mutate  func(*Config)
		wantErr error
		wantMsg string
	}{
		{"missing token", func(c *Config) { c.Token = "" }, ErrMissingToken, "Bearer"},
		{"no target", func(c *Config) { c.Target = "" }, ErrBadTarget, "target"},
		{"relative URL", func(c *Config) { c.Target = "/webhook" }, ErrBadTarget, "absolute"},
		{"ftp URL", func(c *Config) { c.Target = "ftp://host/x" }, ErrBadTarget, "https://"},
		{"unparsable URL", func(c *Config) { c.Target = "https://[::1" }, ErrBadTarget, ""},
		{"credentials in URL", func(c *Config) { c.Target = "https://u:secret@host/x" }, ErrBadTarget, "Authorization"},
		{"live over http", func(c *Config) { c.Mode = gen.ModeLive; c.Target = "http://127.0.0.1:1/webhook" }, ErrPlainHTTPLive, "test mode allows HTTP"},
		{"live route over http", func(c *Config) {
			c.Mode = gen.ModeLive
			c.Routes = map[string]string{"user.deleted": "http://127.0.0.1:1/x"}
		}, ErrPlainHTTPLive, "--mode test"},
		{"unknown route event", func(c *Config) { c.Routes = map[string]string{"user.exploded": "https://h/x"} }, openapi.ErrUnknownEvent, "user.exploded"},
		{"missing CA file", func(c *Config) { c.CAFile = filepath.Join(dir, "nope.pem") }, ErrBadCA, "nope.pem"},
		{"CA file without PEM", func(c *Config) { c.CAFile = notPEM }, ErrBadCA, "BEGIN CERTIFICATE"},
		{"bad mode", func(c *Config) { c.Mode = "prod" }, fake.ErrUnknownMode, "test or live"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, ErrBadConfig, "timeout"},
		{"negative retries", func(c *Config) { c.Retry.Retries = -1 }, ErrBadConfig, "retries"},
		{"negative delay", func(c *Config) { c.Retry.Base = -1 }, ErrBadConfig, "delay"},
		{"negative concurrency", func(c *Config) { c.Concurrency = -2 }, ErrBadConfig, "concurrency"},
		{"line break in token", func(c *Config) { c.Token = token + "\n" }, ErrBadConfig, "control character"},
		{"control character in token", func(c *Config) { c.Token = "uf\x01" + token }, ErrBadConfig, "position 3"},
		{"route for one event, another sent", func(c *Config) {
			c.Target = ""
			c.Routes = map[string]string{"user.created": "https://127.0.0.1:1/x"}
			c.Events = []string{"user.created", "user.updated"}
		}, ErrBadTarget, "no URL for user.updated:"},
		{"unknown event to send", func(c *Config) { c.Events = []string{"user.exploded"} }, openapi.ErrUnknownEvent, "user.exploded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			_, err := NewEmitter(cfg)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotContains(t, err.Error(), "secret")
		})
	}
	okCases := []struct {
		name   string
		mutate func(*Config)
	}{
		{"test over http", func(c *Config) { c.Target = "http://127.0.0.1:1/x" }},
		{"live over https", func(c *Config) { c.Mode = gen.ModeLive }},
		{"one route, only its event sent", func(c *Config) {
			c.Target = ""
			c.Routes = map[string]string{"user.created": "https://127.0.0.1:1/x"}
			c.Events = []string{"user.created"}
		}},
		{"routes for every event, no target", func(c *Config) {
			c.Target = ""
			c.Routes = map[string]string{}
			for _, ev := range catalog(t) {
				c.Routes[ev.Name] = "https://127.0.0.1:1/" + ev.Name
			}
		}},
	}
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			e, err := NewEmitter(cfg)
			require.NoError(t, err)
			e.Close()
		})
	}
}

func TestPlainHTTPRefusedInLiveModeBeforeSending(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	_, err := NewEmitter(Config{Target: srv.URL, Token: token, Mode: gen.ModeLive})
	require.ErrorIs(t, err, ErrPlainHTTPLive)
	assert.Equal(t, 0, rec.Len())
	// The same target is fine in test mode.
	e := newEmitter(t, Config{Target: srv.URL})
	body, _ := fake.Payload(openapi.MustLookup("tenant.created"), fake.Options{})
	require.NoError(t, e.Send(context.Background(), openapi.MustLookup("tenant.created"), body).Err)
	assert.Equal(t, 1, rec.Len())
}

func TestRoutes(t *testing.T) {
	main, other := hooktest.NewRecorder(), hooktest.NewRecorder()
	a, b := httptest.NewServer(main), httptest.NewServer(other)
	defer a.Close()
	defer b.Close()
	e := newEmitter(t, Config{Target: a.URL + "/all", Routes: map[string]string{"user.created": b.URL + "/signup"}})
	assert.Equal(t, b.URL+"/signup", e.URL(openapi.MustLookup("user.created")))
	assert.Equal(t, a.URL+"/all", e.URL(openapi.MustLookup("tenant.deleted")))
	assert.Equal(t, "", e.URL(openapi.Event{Name: "user.exploded"}))
	for _, ev := range catalog(t) {
		body, _ := fake.Payload(ev, fake.Options{})
		require.NoError(t, e.Send(context.Background(), ev, body).Err)
	}
	assert.Equal(t, 1, other.Len())
	assert.Equal(t, "/signup", other.Requests()[0].URL.Path)
	assert.Equal(t, len(openapi.Names())-1, main.Len())
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			elsewhere := hooktest.NewRecorder()
			other := httptest.NewServer(elsewhere)
			defer other.Close()
			redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/stolen", status)
			}))
			defer redirect.Close()
			e := newEmitter(t, Config{Target: redirect.URL, Retry: fastRetry})
			body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})
			r := e.Send(context.Background(), openapi.MustLookup("user.created"), body)
			require.ErrorIs(t, r.Err, ErrRedirect)
			assert.False(t, r.OK())
			assert.Equal(t, status, r.Status)
			assert.Len(t, r.Attempts, 1, "a redirect is not retried")
			assert.Equal(t, other.URL+"/stolen", r.Attempts[0].Location)
			assert.Contains(t, r.Err.Error(), "/stolen")
			assert.Equal(t, 0, elsewhere.Len(), "the token never reaches the redirect's target")
		})
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name       string
		answers    []int
		wantOK     bool
		wantStatus []int
		wantErr    error
	}{
		{"503, 503, then 200", []int{503, 503, 200}, true, []int{503, 503, 200}, nil},
		{"429 then 200", []int{429, 200}, true, []int{429, 200}, nil},
		{"500 502 504 then 200", []int{500, 502, 504, 200}, true, []int{500, 502, 504, 200}, nil},
		{"5xx beyond the retries", []int{500, 500, 500, 500, 500}, false, []int{500, 500, 500, 500}, ErrRejected},
		{"no retry on 400", []int{400, 200}, false, []int{400}, ErrRejected},
		{"no retry on 401", []int{401, 200}, false, []int{401}, ErrRejected},
		{"no retry on 404", []int{404, 200}, false, []int{404}, ErrRejected},
		{"no retry on 422", []int{422, 200}, false, []int{422}, ErrRejected},
		{"201 is success", []int{201}, true, []int{201}, nil},
		{"204 is success", []int{204}, true, []int{204}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := hooktest.NewRecorder()
			rec.SetStatus(tc.answers...)
			srv := httptest.NewServer(rec)
			defer srv.Close()
			e := newEmitter(t, Config{Target: srv.URL, Retry: fastRetry})
			body, _ := fake.Payload(openapi.MustLookup("user.updated"), fake.Options{})
			r := e.Send(context.Background(), openapi.MustLookup("user.updated"), body)
			assert.Equal(t, tc.wantOK, r.OK())
			var got []int
			for _, a := range r.Attempts {
				got = append(got, a.Status)
			}
			assert.Equal(t, tc.wantStatus, got)
			assert.Equal(t, len(tc.wantStatus), rec.Len(), "the receiver saw every attempt and no more")
			if tc.wantErr != nil {
				require.ErrorIs(t, r.Err, tc.wantErr)
				assert.Contains(t, r.Err.Error(), strconv.Itoa(tc.wantStatus[len(tc.wantStatus)-1]))
			} else {
				require.NoError(t, r.Err)
			}
		})
	}
}

func TestTryMakesOneAttempt(t *testing.T) {
	rec := hooktest.NewRecorder()
	rec.SetStatus(503, 503)
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Retry: fastRetry})
	body, _ := fake.Payload(openapi.MustLookup("tenant.updated"), fake.Options{})
	a := e.Try(context.Background(), openapi.MustLookup("tenant.updated"), body)
	assert.Equal(t, 503, a.Status)
	assert.False(t, a.OK())
	assert.True(t, a.Retryable())
	assert.Equal(t, 1, rec.Len())
	a = e.Try(context.Background(), openapi.Event{Name: "tenant.exploded"}, body)
	require.ErrorIs(t, a.Err, openapi.ErrUnknownEvent)
	assert.False(t, a.Retryable())
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	// The backoff alone would wait a millisecond; Retry-After asks for a
	// second, and Max allows it.
	e := newEmitter(t, Config{Target: srv.URL, Retry: RetryPolicy{Retries: 2, Base: time.Millisecond, Max: 5 * time.Second}})
	body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})
	r := e.Send(context.Background(), openapi.MustLookup("user.created"), body)
	require.NoError(t, r.Err)
	require.Len(t, r.Attempts, 2)
	assert.Equal(t, time.Second, r.Attempts[0].RetryAfter)
	require.Len(t, times, 2)
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), 990*time.Millisecond, "the retry waited for Retry-After")
}

func TestDelay(t *testing.T) {
	p := RetryPolicy{Retries: 5, Base: 100 * time.Millisecond, Max: time.Second}
	for range 200 {
		for retry, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
			d := p.Delay(retry, 0)
			assert.GreaterOrEqual(t, d, want/2, "retry %d", retry)
			assert.LessOrEqual(t, d, want, "retry %d", retry)
		}
	}
	assert.Equal(t, 300*time.Millisecond, p.Delay(1, 300*time.Millisecond), "Retry-After is honoured")
	assert.Equal(t, time.Second, p.Delay(1, time.Hour), "Retry-After is capped at Max")
	d := RetryPolicy{}.Delay(1, 0)
	assert.True(t, d >= DefaultRetry.Base/2 && d <= DefaultRetry.Base, "zero Base means the default")
}

func TestRetryAfterParsing(t *testing.T) {
	assert.Equal(t, 2*time.Second, retryAfter("2"))
	assert.Equal(t, time.Duration(0), retryAfter(""))
	assert.Equal(t, time.Duration(0), retryAfter("soon"))
	assert.Equal(t, time.Duration(0), retryAfter("-5"))
	assert.Equal(t, 24*time.Hour, retryAfter("999999999"), "bounded")
	d := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	assert.Greater(t, d, 58*time.Minute)
	assert.Equal(t, time.Duration(0), retryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)))
}

// blocker is a receiver that never answers until the client goes away.
func blocker(arrived chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body to its end lets the server notice, and cancel
		// r.Context(), when the client hangs up.
		_, _ = io.Copy(io.Discard, r.Body)
		if arrived != nil {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}
		<-r.Context().Done()
	})
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(blocker(nil))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL, Timeout: 100 * time.Millisecond, Retry: RetryPolicy{Retries: 1, Base: time.Millisecond}})
	body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})
	r := e.Send(context.Background(), openapi.MustLookup("user.created"), body)
	require.ErrorIs(t, r.Err, ErrTimeout)
	assert.Contains(t, r.Err.Error(), "--timeout")
	assert.Len(t, r.Attempts, 2, "a timeout is retried")
	assert.Equal(t, 0, r.Status)
}

func TestCancellationStopsCleanly(t *testing.T) {
	t.Run("during a request", func(t *testing.T) {
		arrived := make(chan struct{}, 1)
		srv := httptest.NewServer(blocker(arrived))
		defer srv.Close()
		e := newEmitter(t, Config{Target: srv.URL, Timeout: time.Minute, Retry: RetryPolicy{Retries: 5, Base: time.Minute}})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})
		r := e.Send(ctx, openapi.MustLookup("user.created"), body)
		require.ErrorIs(t, r.Err, ErrCancelled)
		require.ErrorIs(t, r.Err, context.Canceled)
		assert.Len(t, r.Attempts, 1)
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		// The receiver answers 503 and closes; once it sees the client hang
		// up, the client has the answer and is about to wait a minute.
		answered := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			_, _ = io.WriteString(conn, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy")
			_, _ = io.Copy(io.Discard, buf) // until the client closes
			close(answered)
		}))
		defer srv.Close()
		e := newEmitter(t, Config{Target: srv.URL, Retry: RetryPolicy{Retries: 5, Base: time.Minute, Max: time.Hour}})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-answered; cancel() }()
		body, _ := fake.Payload(openapi.MustLookup("user.created"), fake.Options{})
		r := e.Send(ctx, openapi.MustLookup("user.created"), body)
		require.ErrorIs(t, r.Err, ErrCancelled)
		assert.Contains(t, r.Err.Error(), "waiting to retry")
		assert.Equal(t, 503, r.Status)
		assert.Equal(t, "busy", r.Excerpt)
		assert.Len(t, r.Attempts, 1)
	})
	t.Run("a run", func(t *testing.T) {
		arrived := make(chan struct{}, 4)
		srv := httptest.NewServer(blocker(arrived))
		defer srv.Close()
		e := newEmitter(t, Config{Target: srv.URL, Timeout: time.Minute, Concurrency: 4})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for range 4 { // all four workers are stuck in a delivery
				<-arrived
			}
			cancel()
		}()
		var reports atomic.Int64
		sum, err := e.Run(ctx, Batch{Events: catalog(t), Count: 100}, func(int, Report) { reports.Add(1) })
		require.NoError(t, err)
		assert.Equal(t, 0, sum.Sent)
		assert.Equal(t, 4, sum.Failed, "the four deliveries under way end as cancelled")
		assert.Equal(t, 96, sum.Skipped)
		assert.Equal(t, int64(4), reports.Load())
	})
}

func TestRunDeliversTheSeededStream(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := hooktest.NewTLSServer(t, rec)
	caFile := srv.CA.File
	e := newEmitter(t, Config{Target: srv.URL, CAFile: caFile, Mode: gen.ModeLive, Concurrency: 3})
	events := catalog(t)
	got := map[int]Report{}
	now := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	sum, err := e.Run(context.Background(), Batch{Events: events, Count: 12, Seed: 100, Now: now}, func(i int, r Report) { got[i] = r })
	require.NoError(t, err)
	assert.Equal(t, 12, sum.Sent)
	assert.Equal(t, 0, sum.Failed+sum.Skipped)
	assert.Equal(t, 12, sum.Attempts)
	assert.Positive(t, sum.P50)
	assert.GreaterOrEqual(t, sum.P99, sum.P50)
	assert.Positive(t, sum.Rate())
	require.Len(t, got, 12)
	bodies := map[string]bool{}
	for _, s := range rec.Requests() {
		bodies[string(s.Body)] = true
	}
	for i := range 12 {
		assert.Equal(t, events[i%len(events)].Name, got[i].Event)
		want, err := fake.Payload(events[i%len(events)], fake.Options{Seed: 100 + uint64(i), Mode: gen.ModeLive, Now: now})
		require.NoError(t, err)
		assert.True(t, bodies[string(want)], "delivery %d is the payload of seed %d", i, 100+i)
	}
}

// TestRunStampsTheTimeOfSending checks that, without Batch.Now, a created
// user's createdAt is moments before the delivery, as Userfront's is.
func TestRunStampsTheTimeOfSending(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL})
	before := time.Now().Add(-3 * time.Second)
	sum, err := e.Run(context.Background(), Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Count: 5, Seed: 1}, nil)
	require.NoError(t, err)
	require.Equal(t, 5, sum.Sent)
	after := time.Now()
	for _, r := range rec.Requests() {
		var env struct {
			Record struct {
				CreatedAt time.Time `json:"createdAt"`
			} `json:"record"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &env))
		assert.True(t, env.Record.CreatedAt.After(before) && env.Record.CreatedAt.Before(after), "createdAt %s is moments before the delivery at %s", env.Record.CreatedAt, after)
	}
}

func TestRunRefusesAnInvalidOverrideUpFront(t *testing.T) {
	rec := hooktest.NewRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL})
	cases := []struct {
		name    string
		batch   Batch
		wantErr error
	}{
		{"override breaks the schema", Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Sets: []string{"record.userId=abc"}}, openapi.ErrInvalidPayload},
		{"bad override", Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Sets: []string{"record.email"}}, fake.ErrBadOverride},
		{"body breaks the schema", Batch{Events: []openapi.Event{openapi.MustLookup("tenant.created")}, Body: []byte(`{"action":"create"}`)}, openapi.ErrInvalidPayload},
		{"body is not JSON", Batch{Events: []openapi.Event{openapi.MustLookup("tenant.created")}, Body: []byte(`{`)}, openapi.ErrMalformedJSON},
		{"unknown event", Batch{Events: []openapi.Event{{Name: "user.exploded"}}}, openapi.ErrUnknownEvent},
		{"no events", Batch{}, ErrBadConfig},
		{"negative count", Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Count: -1}, ErrBadConfig},
		{"bad shape", Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Shape: 99}, fake.ErrUnknownShape},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Run(context.Background(), tc.batch, nil)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, 0, rec.Len(), "nothing was sent")
		})
	}
	t.Run("unless told not to validate", func(t *testing.T) {
		sum, err := e.Run(context.Background(), Batch{Events: []openapi.Event{openapi.MustLookup("user.created")}, Count: 2, Sets: []string{"record.userId=abc"}, NoValidate: true}, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, sum.Sent)
		assert.Contains(t, string(rec.Requests()[0].Body), `"userId":"abc"`)
	})
}

// faultyReceiver fails about 30% of requests at random: a 500, a reset
// connection, or an answer slower than the emitter's timeout. It never fails
// the same payload more than maxFails times in a row, so that every delivery
// gets through within the retries. It counts what it did.
type faultyReceiver struct {
	mu                     sync.Mutex
	rng                    *rand.Rand
	fails                  map[[32]byte]int
	ok, errs, resets, slow int
}

const maxFails = 3

func (fr *faultyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := sha256.Sum256(body)
	fr.mu.Lock()
	fault := fr.rng.IntN(100)
	if fr.fails[key] >= maxFails {
		fault = 99
	}
	switch {
	case fault < 12:
		fr.errs++
	case fault < 24:
		fr.resets++
	case fault < 30:
		fr.slow++
	default:
		fr.ok++
	}
	if fault < 30 {
		fr.fails[key]++
	} else {
		fr.fails[key] = 0
	}
	fr.mu.Unlock()
	switch {
	case fault < 12:
		http.Error(w, "boom", http.StatusInternalServerError)
	case fault < 24:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		_ = conn.Close()
	case fault < 30:
		<-r.Context().Done() // slower than any timeout
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

func TestFaultRunDeliversEverythingAndAccountsForEveryAttempt(t *testing.T) {
	fr := &faultyReceiver{rng: rand.New(rand.NewPCG(1, 2)), fails: map[[32]byte]int{}}
	srv := httptest.NewServer(fr)
	defer srv.Close()
	const n = 2000
	e := newEmitter(t, Config{
		Target:  srv.URL,
		Timeout: 250 * time.Millisecond,
		// More retries than the receiver fails in a row, since a loaded
		// machine can also time out a good answer now and then.
		Retry:       RetryPolicy{Retries: maxFails + 4, Base: time.Millisecond, Max: 10 * time.Millisecond},
		Concurrency: 32,
	})
	reports := make([]Report, n)
	sum, err := e.Run(context.Background(), Batch{Events: catalog(t), Count: n, Seed: 7}, func(i int, r Report) { reports[i] = r })
	require.NoError(t, err)
	assert.Equal(t, n, sum.Sent, "every webhook was delivered")
	assert.Zero(t, sum.Failed)
	var attempts, statusOK, status500, timeouts, network int
	for i, r := range reports {
		require.True(t, r.OK(), "delivery %d: %v", i, r.Err)
		attempts += len(r.Attempts)
		for _, a := range r.Attempts {
			switch {
			case a.Status == http.StatusAccepted:
				statusOK++
			case a.Status == http.StatusInternalServerError:
				status500++
			case errors.Is(a.Err, ErrTimeout):
				timeouts++
			case a.Err != nil:
				network++
			default:
				t.Errorf("delivery %d: unexpected attempt %+v", i, a)
			}
		}
	}
	fr.mu.Lock()
	defer fr.mu.Unlock()
	assert.Equal(t, sum.Attempts, attempts)
	assert.Equal(t, n, statusOK, "one 2xx per delivery, and no attempt after it")
	// Every request the receiver got is in the report, as the attempt of
	// its kind: a 500, a reset, or a timeout for a slow answer. On a loaded
	// machine an attempt can also time out before its request reaches the
	// handler, or while a good answer is on its way, so a kind can only
	// lose attempts to timeouts, never gain any.
	received := fr.ok + fr.errs + fr.resets + fr.slow
	assert.LessOrEqual(t, received, attempts, "the report accounts for every request the receiver got")
	assert.LessOrEqual(t, statusOK, fr.ok)
	assert.LessOrEqual(t, status500, fr.errs)
	assert.LessOrEqual(t, network, fr.resets)
	assert.GreaterOrEqual(t, timeouts, fr.slow)
	failed := fr.errs + fr.resets + fr.slow
	assert.InDelta(t, 0.30, float64(failed)/float64(attempts), 0.05, "about 30%% of requests failed")
	t.Logf("%d deliveries, %d attempts: %d ok, %d 500, %d resets, %d slow, in %s", n, attempts, fr.ok, fr.errs, fr.resets, fr.slow, sum.Elapsed)
}

func TestExcerptIsBounded(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL})
	r := e.Send(context.Background(), openapi.MustLookup("user.created"), []byte(`{}`))
	assert.Len(t, r.Excerpt, ExcerptSize)
	require.ErrorIs(t, r.Err, ErrRejected)
}

// TestExcerptMasksAnEchoedToken: a receiver that echoes the request headers
// in its reply echoes the token; the excerpt, which the CLI prints and the
// mock server stores, must not show it, whole or cut off at the excerpt's
// end.
func TestExcerptMasksAnEchoedToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		pad    int // bytes before the echo; ExcerptSize-20 cuts the token off
	}{
		{"rejected", http.StatusUnauthorized, 0},
		{"accepted", http.StatusOK, 0},
		{"cut off at the excerpt's end", http.StatusBadRequest, ExcerptSize - len("Bearer ") - 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, strings.Repeat(" ", tc.pad)+r.Header.Get("Authorization")+"\n")
			}))
			defer srv.Close()
			e := newEmitter(t, Config{Target: srv.URL})
			r := e.Send(context.Background(), openapi.MustLookup("user.created"), []byte(`{}`))
			require.Equal(t, tc.status, r.Status)
			require.NotEmpty(t, r.Attempts)
			for _, a := range r.Attempts {
				assert.NotContains(t, a.Excerpt, token[:len("uf_t")+1], "an attempt's excerpt shows the token")
				assert.Contains(t, a.Excerpt, "Bearer uf_t…")
			}
			assert.NotContains(t, r.Excerpt, token[:len("uf_t")+1])
		})
	}
}

// TestLocationMasksAnEchoedToken: a redirect whose Location carries the
// token is reported with the token masked.
func TestLocationMasksAnEchoedToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://example.com/?key="+token)
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()
	e := newEmitter(t, Config{Target: srv.URL})
	r := e.Send(context.Background(), openapi.MustLookup("user.created"), []byte(`{}`))
	require.ErrorIs(t, r.Err, ErrRedirect)
	require.NotEmpty(t, r.Attempts)
	assert.Equal(t, "https://example.com/?key="+bearer.Mask(token), r.Attempts[0].Location)
	assert.NotContains(t, r.Err.Error(), token)
}
