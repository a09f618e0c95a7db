package receiver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/localca"
)

// DefaultListen is the address Listen binds when ServeConfig.Listen is empty.
const DefaultListen = "127.0.0.1:8443"

// ServeConfig configures Listen: a Handler served over HTTPS on its own.
type ServeConfig struct {
	// Listen is the address to bind, DefaultListen when empty. Port 0 picks a
	// free port; Server.URL tells which.
	Listen string
	// Options and Callbacks configure the Handler, as for New.
	Options   Options
	Callbacks Callbacks
	// TLSCertFile and TLSKeyFile are a PEM certificate and its key. Give both
	// or neither: without them, a fresh local CA issues a certificate for
	// localhost, 127.0.0.1 and ::1, and its certificate is written to CAFile.
	TLSCertFile, TLSKeyFile string
	// CAFile is where the generated CA certificate is written;
	// DefaultCAFile() when empty.
	CAFile string
	// PlainHTTP serves plain HTTP instead of HTTPS. Live webhooks need HTTPS,
	// so it turns on Options.TestModeOnly.
	PlainHTTP bool
	// ServerLog receives the HTTP server's own errors, such as failed TLS
	// handshakes; Options.Logger when nil.
	ServerLog *slog.Logger
	// ShutdownTimeout bounds the wait for requests in flight when the
	// context ends; 5s when zero.
	ShutdownTimeout time.Duration
}

// Server is a Handler listening on its own address, made by Listen.
type Server struct {
	ln       net.Listener
	srv      *http.Server
	url      string
	caFile   string
	pool     *x509.CertPool
	cfg      ServeConfig
	shutdown time.Duration
}

// DefaultCAFile returns where Listen writes the generated CA certificate by
// default: receive-ca.pem in the user's cache folder (ufhook/), or
// ufhook-receive-ca.pem in the temporary folder when there is none.
func DefaultCAFile() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "ufhook", "receive-ca.pem")
	}
	return filepath.Join(os.TempDir(), "ufhook-receive-ca.pem")
}

// Listen checks cfg, prepares TLS and binds the address, so that every
// configuration fault shows up before anything is served. It errors with
// ErrConfig (a certificate without its key, an unreadable certificate or
// key, a bad address, a port in use, a CA file that cannot be written) or
// with ErrNoToken.
func Listen(cfg ServeConfig) (*Server, error) {
	if cfg.PlainHTTP {
		cfg.Options.TestModeOnly = true
	}
	h, err := New(cfg.Options, cfg.Callbacks)
	if err != nil {
		return nil, err
	}
	if (cfg.TLSCertFile == "") != (cfg.TLSKeyFile == "") {
		return nil, fmt.Errorf("%w: a TLS certificate and its key go together: give both files, or neither for a certificate from a fresh local CA", ErrConfig)
	}
	if cfg.PlainHTTP && cfg.TLSCertFile != "" {
		return nil, fmt.Errorf("%w: plain HTTP takes no TLS certificate: drop one or the other", ErrConfig)
	}
	s := &Server{cfg: cfg, shutdown: cfg.ShutdownTimeout}
	if s.shutdown <= 0 {
		s.shutdown = 5 * time.Second
	}
	var tlsConf *tls.Config
	switch {
	case cfg.PlainHTTP:
	case cfg.TLSCertFile != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: load the TLS certificate %s and key %s: %v: give a PEM certificate and its matching PEM private key", ErrConfig, cfg.TLSCertFile, cfg.TLSKeyFile, err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	default:
		ca, err := localca.New()
		if err != nil {
			return nil, err
		}
		if tlsConf, err = ca.ServerTLS(); err != nil {
			return nil, err
		}
		s.caFile = cfg.CAFile
		if s.caFile == "" {
			s.caFile = DefaultCAFile()
		}
		if err := ca.WriteCert(s.caFile); err != nil {
			return nil, fmt.Errorf("%w: %v: choose a writable path for the CA certificate", ErrConfig, err)
		}
		s.pool = ca.Pool()
	}

	addr := cfg.Listen
	if addr == "" {
		addr = DefaultListen
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("%w: listen address %q: %v: give host:port, e.g. %s or 127.0.0.1:0 for any free port", ErrConfig, addr, err, DefaultListen)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: listen on %s: %v: choose a free port, or stop what is using it", ErrConfig, addr, err)
	}
	s.ln = ln

	errLog := cfg.ServerLog
	if errLog == nil {
		errLog = h.log
	}
	s.srv = &http.Server{
		Handler:           h,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(errLog.Handler(), slog.LevelWarn),
	}
	scheme := "https"
	if cfg.PlainHTTP {
		scheme = "http"
	}
	s.url = scheme + "://" + dialHost(ln.Addr()) + "/"
	return s, nil
}

// dialHost is the host:port a client on this machine uses to reach addr.
func dialHost(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	switch {
	case ip == nil || ip.IsUnspecified() && ip.To4() != nil:
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// URL is the receiver's URL, e.g. https://127.0.0.1:8443/. Every path
// serves all six events.
func (s *Server) URL() string { return s.url }

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// CAFile is the path of the generated CA certificate, or "" when the server
// uses a given certificate or plain HTTP.
func (s *Server) CAFile() string { return s.caFile }

// RootCAs is a pool that trusts the generated CA, or nil when the server
// uses a given certificate or plain HTTP.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// Serve serves until ctx ends, then shuts down: it stops accepting, lets
// requests in flight finish within ShutdownTimeout, and returns nil. It
// errors when serving fails or the shutdown times out.
func (s *Server) Serve(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		if s.srv.TLSConfig != nil {
			done <- s.srv.ServeTLS(s.ln, "", "")
		} else {
			done <- s.srv.Serve(s.ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("receiver stopped: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.srv.Close()
		return fmt.Errorf("receiver shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("receiver stopped: %w", err)
	}
	return nil
}

// Close stops the server at once, dropping requests in flight.
func (s *Server) Close() error { return s.srv.Close() }

// Serve is Listen followed by Server.Serve: it serves cfg until ctx ends.
// It errors as Listen and Server.Serve do.
func Serve(ctx context.Context, cfg ServeConfig) error {
	s, err := Listen(cfg)
	if err != nil {
		return err
	}
	return s.Serve(ctx)
}

// WriteHelp writes where the server listens, where its CA certificate is,
// and ready-to-paste commands that send it webhooks. Tokens appear masked;
// the commands read them from $UFHOOK_TOKEN and $UFHOOK_TEST_TOKEN.
func (s *Server) WriteHelp(w io.Writer) error {
	o := s.cfg.Options
	ew := &errWriter{w: w}
	ew.printf("ufhook receive: listening on %s (every path serves all six events)\n", s.url)
	switch {
	case s.cfg.PlainHTTP:
		ew.printf("plain HTTP: test-mode webhooks only, since live webhooks need HTTPS\n")
	case s.caFile != "":
		ew.printf("CA certificate: %s (a fresh local CA; trust it with --ca or --cacert)\n", s.caFile)
	default:
		ew.printf("TLS certificate: %s\n", s.cfg.TLSCertFile)
	}
	caFlag, curlCA := "", ""
	if s.caFile != "" {
		caFlag, curlCA = " --ca "+shellQuote(s.caFile), " --cacert "+shellQuote(s.caFile)
	}
	type line struct{ env, mask, mode string }
	var lines []line
	switch {
	case o.TestToken != "":
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(o.Token), "live"}, {"UFHOOK_TEST_TOKEN", bearer.Mask(o.TestToken), "test"}}
		if s.cfg.PlainHTTP {
			lines = lines[1:]
		}
	case s.cfg.PlainHTTP:
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(o.Token), "test"}}
	default:
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(o.Token), ""}}
	}
	ew.printf("\nSend it webhooks (set $%s to the token, here %s):\n", lines[0].env, lines[0].mask)
	for _, l := range lines {
		mode := ""
		if l.mode != "" {
			mode = " --mode " + l.mode
		}
		ew.printf("  ufhook emit --all --target %s --token \"$%s\"%s%s\n", s.url, l.env, mode, caFlag)
	}
	l := lines[0]
	mode := ""
	if l.mode != "" {
		mode = " --mode " + l.mode
	}
	ew.printf("  ufhook example user.created%s | curl%s -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' --data-binary @- %s\n", mode, curlCA, l.env, s.url)
	if len(lines) > 1 {
		ew.printf("(test-mode webhooks need $%s, here %s)\n", lines[1].env, lines[1].mask)
	}
	ew.printf("\nStop with Ctrl+C.\n")
	return ew.err
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.' || c == '-' || c == '_' || c == ':') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// PrintDeliveries returns an OnDelivery callback that writes one line per
// webhook to w: time, event, mode, record id, status and, for a rejection,
// why. With asJSON it writes one JSON object per webhook instead, with the
// full payload. It is safe for concurrent use; write errors are dropped.
func PrintDeliveries(w io.Writer, asJSON bool) func(Delivery) {
	var mu sync.Mutex
	return func(d Delivery) {
		mu.Lock()
		defer mu.Unlock()
		if asJSON {
			rec := deliveryJSON{Time: d.Time.UTC(), Event: d.Event, Mode: string(d.Mode), RecordID: d.RecordID, Status: d.Status}
			if d.Err != nil {
				rec.Error = d.Err.Error()
			}
			if len(d.Body) > 0 {
				if json.Valid(d.Body) {
					rec.Payload = json.RawMessage(d.Body)
				} else {
					rec.Payload, _ = json.Marshal(string(d.Body))
				}
			}
			b, err := json.Marshal(rec)
			if err == nil {
				w.Write(append(b, '\n'))
			}
			return
		}
		line := fmt.Sprintf("%s  %-14s %-4s %-10s %d", d.Time.UTC().Format("2006-01-02T15:04:05.000Z"), dash(d.Event), dash(string(d.Mode)), dash(d.RecordID), d.Status)
		if d.Err != nil {
			line += "  " + d.Err.Error()
		}
		io.WriteString(w, line+"\n")
	}
}

// deliveryJSON is one line of PrintDeliveries in JSON form.
type deliveryJSON struct {
	Time     time.Time       `json:"time"`
	Event    string          `json:"event"`
	Mode     string          `json:"mode"`
	RecordID string          `json:"recordId"`
	Status   int             `json:"status"`
	Error    string          `json:"error,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
