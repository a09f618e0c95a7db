// Package endpoint serves a receiver.Handler on its own address: a webhook
// endpoint over HTTPS with a certificate from a local CA kept across
// restarts (or a given
// certificate, or plain HTTP for test-mode webhooks), which shuts down
// cleanly when its context ends. `ufhook receive` and `ufhook demo` run the
// reference receiver with it.
//
// A Go backend that already has an HTTP server mounts the receiver.Handler
// there instead, and needs nothing from this package.
package endpoint

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ufhook/ufhook/localca"
	"github.com/ufhook/ufhook/receiver"
)

// DefaultListen is the address Listen binds when Config.Listen is empty.
const DefaultListen = "127.0.0.1:8443"

// Errors of this package. Listen also passes on receiver.ErrNoToken from
// receiver.New. Match them with errors.Is.
var (
	// ErrConfig means Listen cannot serve a Config: a certificate without
	// its key, an unreadable certificate, a bad listen address, a port in
	// use, a CA file that cannot be written. The error names the problem
	// and what to do.
	ErrConfig = errors.New("invalid receiver configuration")
)

// Config configures Listen: a receiver.Handler served on its own.
type Config struct {
	// Listen is the address to bind, DefaultListen when empty. Port 0 picks a
	// free port; Server.URL tells which.
	Listen string
	// Options and Callbacks configure the handler, as for receiver.New.
	Options   receiver.Options
	Callbacks receiver.Callbacks
	// Handler, when set, is served instead of a receiver.Handler built
	// from Options and Callbacks, which are then unused but for
	// Options.Logger (see ServerLog): `ufhook receive --spec` serves a
	// validator.Handler this way.
	Handler http.Handler
	// TLSCertFile and TLSKeyFile are a PEM certificate and its key. Give both
	// or neither: without them, a local CA issues a certificate for
	// localhost, 127.0.0.1 and ::1. The CA is the one kept in CAFile and
	// CAKeyFile while it stays valid (localca.Load), so that clients that
	// trust CAFile keep working across restarts; otherwise a new CA is
	// made, and written there once the address is bound.
	TLSCertFile, TLSKeyFile string
	// CAFile is where the local CA's certificate is kept; DefaultCAFile()
	// when empty.
	CAFile string
	// CAKeyFile is where the local CA's private key is kept, mode 0600;
	// CAKeyFileFor(CAFile) when empty.
	CAKeyFile string
	// PlainHTTP serves plain HTTP instead of HTTPS. Live webhooks need HTTPS,
	// so it turns on Options.TestModeOnly.
	PlainHTTP bool
	// ServerLog receives the HTTP server's own errors, such as failed TLS
	// handshakes; Options.Logger when nil, and nowhere when both are nil.
	ServerLog *slog.Logger
	// ShutdownTimeout bounds the wait for requests in flight when the
	// context ends; 5s when zero.
	ShutdownTimeout time.Duration
}

// Server is a receiver.Handler listening on its own address, made by
// Listen.
type Server struct {
	ln       net.Listener
	srv      *http.Server
	url      string
	caFile   string
	caReused bool
	pool     *x509.CertPool
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

// CAKeyFileFor returns where the private key of the local CA whose
// certificate is kept in caFile goes by default: caFile plus ".key".
func CAKeyFileFor(caFile string) string { return caFile + ".key" }

// Listen checks cfg, prepares TLS and binds the address, so that every
// configuration fault shows up before anything is served. It reuses the
// local CA kept in Config.CAFile while it is valid, and writes a new one's
// files (each through a temporary file and a rename) only once the address
// is bound, so that a start that fails leaves them as they were. It errors
// with ErrConfig (a certificate without its key, an unreadable certificate
// or key, a bad address, a port in use, a CA file that cannot be written)
// or with receiver.ErrNoToken.
func Listen(cfg Config) (*Server, error) {
	if cfg.PlainHTTP {
		cfg.Options.TestModeOnly = true
	}
	h := cfg.Handler
	if h == nil {
		rh, err := receiver.New(cfg.Options, cfg.Callbacks)
		if err != nil {
			return nil, err
		}
		h = rh
	}
	if (cfg.TLSCertFile == "") != (cfg.TLSKeyFile == "") {
		return nil, fmt.Errorf("%w: a TLS certificate and its key go together: give both files, or neither for a certificate from a fresh local CA", ErrConfig)
	}
	if cfg.PlainHTTP && cfg.TLSCertFile != "" {
		return nil, fmt.Errorf("%w: plain HTTP takes no TLS certificate: drop one or the other", ErrConfig)
	}
	s := &Server{shutdown: cfg.ShutdownTimeout}
	if s.shutdown <= 0 {
		s.shutdown = 5 * time.Second
	}
	var tlsConf *tls.Config
	var newCA *localca.CA
	caKeyFile := ""
	switch {
	case cfg.PlainHTTP:
	case cfg.TLSCertFile != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: load the TLS certificate %s and key %s: %v: give a PEM certificate and its matching PEM private key", ErrConfig, cfg.TLSCertFile, cfg.TLSKeyFile, err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	default:
		s.caFile = cfg.CAFile
		if s.caFile == "" {
			s.caFile = DefaultCAFile()
		}
		caKeyFile = cfg.CAKeyFile
		if caKeyFile == "" {
			caKeyFile = CAKeyFileFor(s.caFile)
		}
		ca, reused, err := localca.LoadOrNew(s.caFile, caKeyFile)
		if err != nil {
			return nil, err
		}
		if tlsConf, err = ca.ServerTLS(); err != nil {
			return nil, err
		}
		s.caReused = reused
		if !reused {
			newCA = ca
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
	if newCA != nil {
		// The key first: a certificate on disk always has its key beside it.
		err := newCA.WriteKey(caKeyFile)
		if err == nil {
			err = newCA.WriteCert(s.caFile)
		}
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("%w: %v: choose a writable path for the CA certificate", ErrConfig, err)
		}
	}

	errLog := cfg.ServerLog
	if errLog == nil {
		errLog = cfg.Options.Logger
	}
	if errLog == nil {
		errLog = slog.New(slog.DiscardHandler)
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
	s.url = scheme + "://" + dialHost(addr, ln.Addr()) + "/"
	return s, nil
}

// dialHost is the host:port a client on this machine uses to reach addr,
// bound for the listen address listen. A listener on every address is
// reached on the loopback address of the family that listen names:
// 127.0.0.1 for 0.0.0.0 or an empty host, ::1 for ::. (Go reports a
// listener on 0.0.0.0 as [::], so the family comes from listen.)
func dialHost(listen string, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		host, _, _ := net.SplitHostPort(listen)
		if h := net.ParseIP(host); h != nil && h.To4() == nil {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// URL is the receiver's URL, e.g. https://127.0.0.1:8443/. Every path
// serves every event.
func (s *Server) URL() string { return s.url }

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// CAFile is the path of the generated CA certificate, or "" when the server
// uses a given certificate or plain HTTP.
func (s *Server) CAFile() string { return s.caFile }

// CAReused reports whether the local CA is the one an earlier start kept in
// CAFile, rather than a new one.
func (s *Server) CAReused() bool { return s.caReused }

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
func Serve(ctx context.Context, cfg Config) error {
	s, err := Listen(cfg)
	if err != nil {
		return err
	}
	return s.Serve(ctx)
}
