package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/receiver"
)

// The kill test runs the server in a child process: this test binary,
// re-executed with -test.run=TestHelperServerProcess and these variables.
const (
	envDB     = "UFHOOK_HELPER_DB"
	envAddr   = "UFHOOK_HELPER_ADDR_FILE"
	envTarget = "UFHOOK_HELPER_TARGET"
	envCA     = "UFHOOK_HELPER_CA"
)

const helperWorkers = 4

// TestHelperServerProcess is not a test: it is the server process of
// TestKillDuringBurstLosesNothing, and does nothing unless started by it.
func TestHelperServerProcess(t *testing.T) {
	db := os.Getenv(envDB)
	if db == "" {
		t.Skip("the server process of TestKillDuringBurstLosesNothing; runs only when that test starts it")
	}
	s, err := server.New(server.Config{
		DB: db, AdminKey: adminKey, Workers: helperWorkers,
		Emitter: mock.Config{
			Target: os.Getenv(envTarget), Token: webhookToken, Mode: gen.ModeTest, CAFile: os.Getenv(envCA),
			Timeout: 30 * time.Second,
			Retry:   mock.RetryPolicy{Retries: 20, Base: 10 * time.Millisecond, Max: 100 * time.Millisecond},
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	addrFile := os.Getenv(envAddr)
	if err := os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o600); err != nil {
		os.Exit(3)
	}
	if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
		os.Exit(3)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// gatedReceiver is the reference receiver behind a gate. Once acked
// deliveries reach holdAfter, every new request is held until the gate
// opens. A delivery counts as acknowledged only when it was answered 2xx to
// a sender that was still connected; a request whose sender died while
// held is dropped unanswered, as it would be by a real network.
type gatedReceiver struct {
	holdAfter int64
	gate      chan struct{}
	held      atomic.Int64
	dropped   atomic.Int64 // held requests whose sender died
	h         http.Handler

	mu       sync.Mutex
	received map[string]int // userUuid -> requests seen
	acked    map[string]int // userUuid -> 2xx answers to a live sender
}

func newGatedReceiver(t *testing.T, holdAfter int64) *gatedReceiver {
	g := &gatedReceiver{holdAfter: holdAfter, gate: make(chan struct{}), received: map[string]int{}, acked: map[string]int{}}
	h, err := receiver.New(receiver.Options{Token: webhookToken}, receiver.Callbacks{
		OnUserCreated: func(ctx context.Context, ev gen.UserCreatedEvent) error {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.acked[ev.Record.UserUUID.String()]++
			return nil
		},
	})
	require.NoError(t, err)
	g.h = h
	return g
}

func (g *gatedReceiver) ackedCount() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int64(len(g.acked))
}

func (g *gatedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	var env struct {
		Record struct {
			UserUUID string `json:"userUuid"`
		} `json:"record"`
	}
	_ = json.Unmarshal(body, &env)
	g.mu.Lock()
	g.received[env.Record.UserUUID]++
	g.mu.Unlock()
	if g.ackedCount() >= g.holdAfter {
		g.held.Add(1)
		select {
		case <-g.gate:
		case <-r.Context().Done():
		}
		if r.Context().Err() != nil {
			g.dropped.Add(1)
			return // the sender is gone: it never sees an answer
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	g.h.ServeHTTP(w, r)
}

// helperProcess is one run of the server in a child process.
type helperProcess struct {
	cmd *exec.Cmd
	out *bytes.Buffer
	url string
}

func startHelper(t *testing.T, db, target, caFile string) *helperProcess {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDB+"="+db, envAddr+"="+addrFile, envTarget+"="+target, envCA+"="+caFile)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	p := &helperProcess{cmd: cmd, out: out}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if addr, err := os.ReadFile(addrFile); err == nil {
			p.url = "http://" + string(addr)
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	t.Fatalf("the server process did not start within %s: %s", patience, out)
	return nil
}

// TestKillDuringBurstLosesNothing creates 500 users, which queue 500
// user.created webhooks, kills the server process with SIGKILL in the middle
// of delivering them, restarts it on the same database, and checks that
// every webhook is acknowledged exactly once: none lost, none acknowledged
// twice. Only the deliveries in flight at the kill reach the receiver a
// second time, as at-least-once delivery allows.
func TestKillDuringBurstLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	const total, holdAfter = 500, 150
	g := newGatedReceiver(t, holdAfter)
	ts := httptest.NewTLSServer(g)
	defer ts.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600))
	db := filepath.Join(t.TempDir(), "ufhook.db")

	first := startHelper(t, db, ts.URL, caFile)
	// The burst: 500 API calls from 8 clients. Each answers only after its
	// webhook is in the outbox.
	created := make(chan string, total)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < total; i += 8 {
				id, err := createUser(first.url, fmt.Sprintf("burst-%03d", i))
				if err != nil {
					failed.Add(1)
					t.Log(err)
					continue
				}
				created <- id
			}
		})
	}
	wg.Wait()
	close(created)
	require.Zero(t, failed.Load(), "every API call of the burst succeeds: %s", first.out)

	// Kill while every worker is held inside a delivery, so that the
	// process dies with deliveries in flight and rows still pending.
	require.Eventually(t, func() bool { return g.held.Load() >= helperWorkers }, patience, 10*time.Millisecond,
		"all %d workers reach the held receiver", helperWorkers)
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	_ = first.cmd.Wait()
	ackedAtKill := g.ackedCount()
	require.Less(t, ackedAtKill, int64(total), "the kill came in the middle of the burst")
	t.Logf("killed with %d of %d webhooks acknowledged and %d in flight", ackedAtKill, total, g.held.Load())
	// Open the gate only once every held request has seen its sender die,
	// so that none of them is answered (and counted) by mistake.
	require.Eventually(t, func() bool { return g.dropped.Load() == g.held.Load() }, patience, 5*time.Millisecond,
		"the held requests see the killed sender's connections close")
	close(g.gate)

	second := startHelper(t, db, ts.URL, caFile)
	require.Eventually(t, func() bool { return g.ackedCount() == total }, 2*patience, 20*time.Millisecond,
		"every webhook is delivered after the restart (%d of %d): %s", g.ackedCount(), total, second.out)
	// The receiver counts a webhook before the server records its 2xx.
	want := map[string]any{"delivered": float64(total), "pending": 0.0, "failed": 0.0}
	var counts map[string]any
	assert.Eventually(t, func() bool {
		counts = deliveryCounts(second.url)
		return assert.ObjectsAreEqual(want, counts)
	}, patience, 10*time.Millisecond, "the outbox records every delivery: %v", counts)
	require.NoError(t, second.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, second.cmd.Wait(), "graceful stop: %s", second.out)

	g.mu.Lock()
	defer g.mu.Unlock()
	resent := 0
	for id := range created {
		assert.Equal(t, 1, g.acked[id], "user %s acknowledged exactly once", id)
		switch n := g.received[id]; n {
		case 1:
		case 2:
			resent++
		default:
			t.Errorf("user %s reached the receiver %d times", id, n)
		}
	}
	assert.Len(t, g.acked, total)
	assert.LessOrEqual(t, resent, helperWorkers, "only deliveries in flight at the kill are sent again")
	t.Logf("%d webhooks sent again after the restart (in flight at the kill)", resent)
	if t.Failed() {
		t.Logf("first process:\n%s\nsecond process:\n%s", first.out, truncate(second.out.String()))
	}
}

// createUser creates a user through the API and returns its userUuid. It
// is safe to call from any goroutine.
func createUser(base, username string) (string, error) {
	u, err := server.NewClient(base, adminKey, nil).CreateUser(context.Background(), server.Fields{"username": username})
	if err != nil {
		return "", err
	}
	return u.UserUUID.String(), nil
}

// deliveryCounts reads the outbox's counts from the dashboard API, or nil.
// It is safe to call from any goroutine.
func deliveryCounts(base string) map[string]any {
	var out struct {
		Counts map[string]any `json:"counts"`
	}
	if server.NewClient(base, adminKey, nil).Call(context.Background(), http.MethodGet, "/ui/deliveries?limit=1", nil, &out) != nil {
		return nil
	}
	return out.Counts
}

func truncate(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return strings.TrimSpace(s)
}
