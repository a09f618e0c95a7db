package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
)

func init() { commands = append(commands, newDemoCmd) }

// demoConfig holds the flags of ufhook demo.
type demoConfig struct {
	once   bool
	listen string
	wait   time.Duration
}

func newDemoCmd() *cobra.Command {
	var c demoConfig
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run everything locally: receiver, mock Userfront, every webhook and the suite",
		Long: `Run the whole toolkit in one process, with nothing to configure:

  1. the reference receiver over HTTPS, with a throwaway CA;
  2. the mock Userfront (in memory) pointed at it;
  3. every event, fired through the mock's REST API: create a user, ask for
     a login link, a code by email and a code by SMS for it, update and
     delete it, then create, update and delete a tenant;
  4. the conformance suite against the receiver.

It prints the results and a dashboard link that logs a browser in (with a
login code, never the admin key), and keeps serving until Ctrl-C.
With --once it exits after the suite: 0 if every webhook was delivered and
every case passed, 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, c) },
	}
	cmd.Flags().BoolVar(&c.once, "once", false, "exit after the suite, with its result as the exit code")
	cmd.Flags().StringVar(&c.listen, "listen", "127.0.0.1:8787", "address of the dashboard and API (a free port is used if it is taken)")
	cmd.Flags().DurationVar(&c.wait, "wait", 30*time.Second, "how long to wait for the deliveries")
	return cmd
}

// demoReceiver counts what the reference receiver accepted.
type demoReceiver struct {
	mu       sync.Mutex
	accepted map[string]int
}

func (d *demoReceiver) onDelivery(del receiver.Delivery) {
	if del.Err != nil || del.Status/100 != 2 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accepted[del.Event]++
}

func (d *demoReceiver) count(event string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.accepted[event]
}

func runDemo(cmd *cobra.Command, c demoConfig) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	if c.wait <= 0 {
		return usageError("--wait %v: use a positive duration, e.g. 30s", c.wait)
	}
	if err := checkListen(c.listen); err != nil {
		return err
	}

	// 1. The reference receiver over HTTPS, with a throwaway CA.
	tmp, err := os.MkdirTemp("", "ufhook-demo-")
	if err != nil {
		return failure(err)
	}
	defer os.RemoveAll(tmp)
	// The receiver's webhook API key, shaped like Userfront's; the mock's
	// webhooks are live, and so is the key.
	mode := gen.ModeLive
	token := server.NewWebhookKey(mode, "")
	rec := &demoReceiver{accepted: map[string]int{}}
	rs, err := endpoint.Listen(endpoint.Config{
		Listen:    "127.0.0.1:0",
		Options:   receiver.Options{Token: token},
		Callbacks: receiver.Callbacks{OnDelivery: rec.onDelivery},
		CAFile:    filepath.Join(tmp, "ca.pem"),
	})
	if err != nil {
		return failure(fmt.Errorf("start the reference receiver: %w", err))
	}
	rctx, rstop := context.WithCancel(context.WithoutCancel(ctx))
	rdone := make(chan error, 1)
	go func() { rdone <- rs.Serve(rctx) }()
	defer func() { rstop(); <-rdone }()
	target := rs.URL() + "webhooks"
	pool := rs.RootCAs()
	fmt.Fprintf(out, "receiver:   %s (reference receiver, HTTPS with a throwaway CA, webhook API key %s)\n", target, bearer.Mask(token))

	// 2. The mock Userfront, in memory, pointed at the receiver.
	adminKey := server.NewAdminKey(mode)
	srv, err := server.New(server.Config{
		DB:       ":memory:",
		AdminKey: adminKey,
		Emitter: mock.Config{
			Target: target, Token: token, Mode: mode, RootCAs: pool,
			Timeout: 10 * time.Second,
			Retry:   mock.RetryPolicy{Retries: 3, Base: 200 * time.Millisecond, Max: 2 * time.Second},
		},
	})
	if err != nil {
		return failure(err)
	}
	listen := c.listen
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "ufhook: warning: --listen %s: %v: using a free port on 127.0.0.1 instead\n", listen, err)
		listen = "127.0.0.1:0"
		if ln, err = net.Listen("tcp", listen); err != nil {
			srv.Close()
			return failure(fmt.Errorf("start the mock Userfront: %w", err))
		}
	}
	warnExposed(cmd.ErrOrStderr(), listen)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()
	base := "http://" + dialAddr(listen, ln.Addr())
	fmt.Fprintf(out, "mock:       %s (mock Userfront, %s mode, in memory)\n\n", base, mode)

	// 3. Every event, through the REST API.
	api := server.NewClient(base, adminKey, &http.Client{Timeout: 10 * time.Second})
	fmt.Fprintln(out, "Firing every event through the mock's REST API:")
	if err := fireAll(ctx, api, out); err != nil {
		return failure(err)
	}
	wctx, cancel := context.WithTimeout(ctx, c.wait)
	counts, werr := srv.WaitIdle(wctx)
	cancel()
	deliveredAll := true
	for _, ev := range openapi.Names() {
		n := rec.count(ev)
		mark := "delivered"
		if n == 0 {
			mark, deliveredAll = "NOT delivered", false
		}
		fmt.Fprintf(out, "  %-22s %s\n", ev, mark)
	}
	if werr != nil || counts["failed"] > 0 {
		deliveredAll = false
	}
	fmt.Fprintf(out, "outbox: %d delivered, %d pending, %d failed\n\n", counts["delivered"], counts["pending"], counts["failed"])

	// 4. The conformance suite against the receiver.
	fmt.Fprintln(out, "Running the conformance suite against the receiver:")
	rep, err := contract.Run(ctx, contract.Config{Target: target, Token: token, Mode: mode, RootCAs: pool, Timeout: 10 * time.Second})
	if err != nil {
		return failure(fmt.Errorf("conformance suite: %w", err))
	}
	for _, r := range rep.Results {
		fmt.Fprintf(out, "  %s  %s\n", r.Outcome, r.Case.ID)
		if r.Outcome == contract.Fail {
			fmt.Fprintf(out, "        %s\n", strings.ReplaceAll(r.Explain(), "\n", "\n        "))
		}
	}
	writeDiagnoses(out, rep.Diagnose())
	fmt.Fprintln(out, rep.Summary())
	fmt.Fprintf(out, "\ndashboard:  %s%s  (this link logs a browser in; keep it private)\n", base, srv.LoginPath())

	var problem error
	switch {
	case !deliveredAll:
		problem = errors.New("not every webhook was delivered: see the outbox line above and the dashboard")
	case rep.Failed():
		problem = errors.New("the reference receiver failed the suite: " + rep.Summary())
	}
	if c.once {
		return failure(problem)
	}
	if problem != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "ufhook: %v\n", problem)
	}
	fmt.Fprintln(out, "Serving until Ctrl-C: open the dashboard and fire more webhooks.")
	<-ctx.Done()
	return nil
}

// fireAll creates a user, asks for a login link and codes for it, updates
// and deletes it, then creates, updates and deletes a tenant.
func fireAll(ctx context.Context, api *server.Client, out io.Writer) error {
	const email, phone = "jane.doe@example.com", "+15555550123"
	u, err := api.CreateUser(ctx, server.Fields{
		"email": email, "username": "jane-doe", "name": "Jane Doe", "phoneNumber": phone,
		"data": map[string]any{"plan": "trial"},
	})
	if err != nil {
		return err
	}
	uid := u.UserID
	fmt.Fprintf(out, "  POST   /v0/users            -> user %d created\n", uid)
	if err := api.SendLoginLink(ctx, email); err != nil {
		return err
	}
	fmt.Fprintf(out, "  POST   /v0/auth/link        -> login link for user %d, sent as a webhook\n", uid)
	if err := api.SendEmailCode(ctx, email); err != nil {
		return err
	}
	fmt.Fprintf(out, "  POST   /v0/auth/code        -> code by email for user %d, sent as a webhook\n", uid)
	if err := api.SendSMSCode(ctx, phone); err != nil {
		return err
	}
	fmt.Fprintf(out, "  POST   /v0/auth/code        -> code by SMS for user %d, sent as a webhook\n", uid)
	if _, err := api.UpdateUser(ctx, uid, server.Fields{"name": "Jane Q. Doe", "locked": true}); err != nil {
		return err
	}
	fmt.Fprintf(out, "  PUT    /v0/users/%-10d -> user %d updated (renamed, locked)\n", uid, uid)
	if _, err := api.DeleteUser(ctx, uid); err != nil {
		return err
	}
	fmt.Fprintf(out, "  DELETE /v0/users/%-10d -> user %d deleted\n", uid, uid)
	t, err := api.CreateTenant(ctx, server.Fields{"name": "Acme Inc", "data": map[string]any{"region": "eu"}})
	if err != nil {
		return err
	}
	tid := t.TenantID
	fmt.Fprintf(out, "  POST   /v0/tenants          -> tenant %s created\n", tid)
	if _, err := api.UpdateTenant(ctx, tid, server.Fields{"name": "Acme Corporation"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "  PUT    /v0/tenants/%-8s -> tenant %s updated (renamed)\n", tid, tid)
	if _, err := api.DeleteTenant(ctx, tid); err != nil {
		return err
	}
	fmt.Fprintf(out, "  DELETE /v0/tenants/%-8s -> tenant %s deleted\n\n", tid, tid)
	return nil
}
