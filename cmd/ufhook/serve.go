package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/mock/server"
	"github.com/ufhook/ufhook/openapi"
)

func init() { commands = append(commands, newServeCmd) }

// serveConfig holds the flags of ufhook serve.
type serveConfig struct {
	listen   string
	db       string
	adminKey string
	keyFile  string
	target   string
	routes   mock.Routes
	token    string
	mode     string
	ca       string
	insecure bool
	timeout  time.Duration
	retries  int
}

func newServeCmd() *cobra.Command {
	var c serveConfig
	cmd := &cobra.Command{
		Use:   "serve (--target URL | --route EVENT=URL ...) --token T",
		Short: "Run a mock Userfront: a fake REST API that fires webhooks, and a live dashboard",
		Long: `Run a mock Userfront on --listen. Its fake REST API (/v0/users and
/v0/tenants, with the admin key as a Bearer token) fires the matching webhook
on every change, and /v0/auth/link and /v0/auth/code fire the webhook of a
login link or a verification code for a user, through a durable outbox in
SQLite (--db) that survives a restart. The dashboard at / fires any event
with one click and shows every delivery live.

The webhook API key comes from --token or UFHOOK_TOKEN. The admin key comes from --admin-key or UFHOOK_ADMIN_KEY, and is only ever
shown masked. Without either, a random key is generated, or the one that an
earlier start wrote is kept, in a file readable only by you (mode 0600): --admin-key-file, by default the
--db file's name plus .admin-key, or ufhook/serve-admin-key under your cache
directory for --db :memory:. Call the API with
  Authorization: Bearer $(cat FILE)

The dashboard link printed at start logs a browser in with a login code
made anew at each start, not the admin key; the dashboard's own login form
also takes the admin key.`,
		Example: `  ufhook serve --target http://127.0.0.1:3000/webhooks --token uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f --mode test
  ufhook serve --db :memory: --target https://127.0.0.1:8443/webhooks --ca ca.pem --mode live   # key from $UFHOOK_TOKEN`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, c) },
	}
	f := cmd.Flags()
	f.StringVar(&c.listen, "listen", "127.0.0.1:8787", "address of the API and the dashboard")
	f.StringVar(&c.db, "db", "ufhook.db", "SQLite database file; :memory: keeps nothing")
	f.StringVar(&c.adminKey, "admin-key", "", "API key that /v0 calls must carry as a Bearer token (default: $UFHOOK_ADMIN_KEY, else generated)")
	f.StringVar(&c.keyFile, "admin-key-file", "", "file the generated admin key is written to, mode 0600 (default: <db>.admin-key, or the cache directory for :memory:)")
	f.StringVar(&c.target, "target", "", "webhook URL of every event")
	f.Var(&c.routes, "route", "webhook URL of one event (repeatable; overrides --target)")
	f.StringVar(&c.token, "token", "", "webhook API key sent as Authorization: Bearer <key> (default $UFHOOK_TOKEN)")
	f.StringVar(&c.mode, "mode", "test", "mode of records and webhooks: test or live (live needs https)")
	f.StringVar(&c.ca, "ca", "", "PEM file of a CA to trust for the webhook URLs")
	f.BoolVar(&c.insecure, "insecure", false, "skip TLS certificate verification of the webhook URLs")
	f.DurationVar(&c.timeout, "timeout", 10*time.Second, "timeout of each delivery attempt")
	f.IntVar(&c.retries, "retries", 5, "retries of a failed delivery, with exponential backoff")
	return cmd
}

// serveEmitterConfig checks the delivery flags shared by serve and emit. The
// routes were checked by mock.Routes as the flags were parsed, and the URLs'
// schemes are checked against the mode by mock.NewEmitter.
func serveEmitterConfig(target string, routes mock.Routes, token, mode, ca string, insecure bool, timeout time.Duration, retries int) (mock.Config, error) {
	m, err := fake.ParseMode(mode)
	if err != nil {
		return mock.Config{}, usageError("--mode: %v", err)
	}
	if token == "" && needsToken() {
		return mock.Config{}, usageError("--token is required, or set UFHOOK_TOKEN: the webhook API key your receiver expects (Userfront's webhook settings show it)")
	}
	if token != "" {
		if err := checkKey("--token", token); err != nil {
			return mock.Config{}, err
		}
	}
	if target == "" && len(routes) == 0 {
		return mock.Config{}, usageError("give --target URL (or one --route EVENT=URL per event): where the webhooks go")
	}
	if retries < 0 || retries > 20 {
		return mock.Config{}, usageError("--retries %d: use 0 to 20", retries)
	}
	if timeout <= 0 || timeout > 5*time.Minute {
		return mock.Config{}, usageError("--timeout %v: use a duration from 1ms to 5m", timeout)
	}
	return mock.Config{
		Target: target, Routes: routes, Token: token, Mode: m, CAFile: ca, Insecure: insecure,
		Timeout: timeout,
		Retry:   mock.RetryPolicy{Retries: retries, Base: 500 * time.Millisecond, Max: 30 * time.Second},
	}, nil
}

// checkDB refuses a --db path whose folder does not exist or that is a
// folder itself, before the database is opened.
func checkDB(db string) error {
	if db == "" || db == ":memory:" {
		return nil
	}
	if fi, err := os.Stat(db); err == nil && fi.IsDir() {
		return usageError("--db %s is a folder: give a database file in it, e.g. --db %s", db, filepath.Join(db, "ufhook.db"))
	}
	dir := filepath.Dir(db)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError("--db %s: the folder %s does not exist: create it, or give a file in an existing folder (or --db :memory: to keep nothing)", db, dir)
	}
	return nil
}

// shellQuote quotes p for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@%,") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// serveLog serializes the log lines of concurrent deliveries.
type serveLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *serveLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}

func runServe(cmd *cobra.Command, c serveConfig) error {
	if c.token == "" {
		c.token = os.Getenv("UFHOOK_TOKEN")
	}
	if err := checkListen(c.listen); err != nil {
		return err
	}
	if err := checkDB(c.db); err != nil {
		return err
	}
	em, err := serveEmitterConfig(c.target, c.routes, c.token, c.mode, c.ca, c.insecure, c.timeout, c.retries)
	if err != nil {
		return err
	}
	key, source := c.adminKey, "as given with --admin-key"
	if key == "" {
		key, source = os.Getenv("UFHOOK_ADMIN_KEY"), "from UFHOOK_ADMIN_KEY"
	}
	generated := key == ""
	if !generated {
		if err := checkKey("--admin-key", key); err != nil {
			return err
		}
	}
	// A generated key always goes to a file; a given one only when asked.
	keyFile := ""
	if generated || c.keyFile != "" {
		if keyFile, err = server.AdminKeyPath(c.keyFile, c.db); err != nil {
			return usageError("%v (--admin-key-file FILE)", err)
		}
	}
	if generated {
		// The key of an earlier start is kept, so that the apps and scripts
		// configured with it keep working after a restart.
		var created bool
		key, created = server.LoadOrNewAdminKey(keyFile, em.Mode)
		source = "kept from an earlier start"
		if created {
			source = "generated"
		}
	}
	log := &serveLog{w: cmd.ErrOrStderr()}
	srv, err := server.New(server.Config{DB: c.db, AdminKey: key, Emitter: em, Logf: log.logf})
	if err != nil {
		// server.New only sets up what the flags say: a database it cannot
		// open or read (--db) is a configuration error too, as its doc says.
		return asUsage(err)
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		srv.Close()
		return usageError("--listen %s: %v (choose another address, e.g. --listen 127.0.0.1:0)", c.listen, err)
	}
	if keyFile != "" {
		if err := server.WriteAdminKey(keyFile, key); err != nil {
			ln.Close()
			srv.Close()
			return usageError("--admin-key-file %s: %v (choose a writable file with --admin-key-file FILE)", keyFile, err)
		}
	}
	warnExposed(cmd.ErrOrStderr(), c.listen)
	base := "http://" + dialAddr(c.listen, ln.Addr())
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "mock Userfront listening on %s (%s mode, database %s)\n", base, em.Mode, c.db)
	fmt.Fprintf(out, "dashboard:  %s%s  (this link logs a browser in; keep it private)\n", base, srv.LoginPath())
	auth := "<admin key>"
	if keyFile != "" {
		fmt.Fprintf(out, "admin key:  %s  (%s; written to %s, mode 0600)\n", bearer.Mask(key), source, keyFile)
		auth = "$(cat " + shellQuote(keyFile) + ")"
	} else {
		fmt.Fprintf(out, "admin key:  %s  (%s)\n", bearer.Mask(key), source)
	}
	fmt.Fprintf(out, "API:        %s/v0/users and %s/v0/tenants with Authorization: Bearer %s\n", base, base, auth)
	fmt.Fprintf(out, "webhooks:   %s with webhook API key %s\n", describeTargets(em), bearer.Mask(c.token))
	if c.insecure {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning: --insecure: the webhook URLs' TLS certificates are not verified; trust a private CA with --ca FILE instead")
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	if err := srv.Serve(cmd.Context(), ln); err != nil {
		return failure(err)
	}
	return nil
}

func describeTargets(em mock.Config) string {
	if len(em.Routes) == 0 {
		return em.Target
	}
	parts := make([]string, 0, len(em.Routes)+1)
	if em.Target != "" {
		parts = append(parts, em.Target)
	}
	for _, name := range openapi.Names() {
		if u, ok := em.Routes[name]; ok {
			parts = append(parts, name+"="+u)
		}
	}
	return strings.Join(parts, ", ")
}
