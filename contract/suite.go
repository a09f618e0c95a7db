package contract

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/signature"
)

// maxBody bounds how much of a response body the suite reads.
const maxBody = 64 << 10

// bodyShown is how much of a response body a result quotes.
const bodyShown = 160

// Suite is a receiver under test: a checked Config, an HTTP client that never
// follows redirects and verifies TLS, and what the TLS handshakes found. It
// is safe for concurrent use; call Close when done.
type Suite struct {
	cfg Config
	// client shares keep-alive connections between the requests that carry
	// the right token; see conn.go for the others.
	client *http.Client
	// transport is client's, and the model of every connection of its own
	// (conn).
	transport *http.Transport
	roots     *x509.CertPool // nil means the system roots
	// origins are the distinct scheme://host:port of the target and routes.
	origins map[string]*origin
	// signer signs every request when Config.Signature is set; nil means
	// unsigned.
	signer *signature.Signer
}

// origin is one scheme://host:port that the suite sends to, with what the
// TLS handshake found there.
type origin struct {
	url *url.URL
	// version is the TLS version the server chose when offered 1.0 to 1.3;
	// zero for plain HTTP or a failed handshake.
	version uint16
	// handshakeErr is why the TLS handshake failed outright.
	handshakeErr error
	// certErr is why the certificate did not verify (nil with Insecure).
	certErr error
}

// usable reports whether the suite's client, which wants TLS 1.2 and a
// verified certificate, can talk to the origin.
func (o *origin) usable() bool {
	if o.url.Scheme == "http" {
		return true
	}
	return o.handshakeErr == nil && o.version >= tls.VersionTLS12 && o.certErr == nil
}

// New checks cfg, loads the CA file, and connects once to the target and to
// every route: a TCP connection, and for https a TLS handshake whose findings
// the https cases report. It errors with mock.ErrBadTarget, mock.ErrBadRoute,
// mock.ErrMissingToken, ErrShortToken, fake.ErrUnknownMode, mock.ErrBadCA,
// mock.ErrBadConfig (a negative timeout), signature.ErrBadScheme or
// signature.ErrBadSecret (Config.Signature and Config.Secret), or
// ErrUnreachable when nothing
// listens at a URL. An http:// target in live mode is not an error: the case
// https/live-https fails and the others run. A failed TLS handshake is not an
// error either: the https cases fail, and the cases that need the connection
// are skipped.
func New(ctx context.Context, cfg Config) (*Suite, error) {
	cfg, err := normalize(cfg)
	if err != nil {
		return nil, err
	}
	tlsConf, err := mock.TLSConfig(cfg.CAFile, cfg.RootCAs, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	s := &Suite{cfg: cfg, origins: map[string]*origin{}, roots: tlsConf.RootCAs}
	if cfg.Signature != nil {
		// normalize checked the scheme and the secret.
		s.signer, _ = signature.NewSigner(*cfg.Signature, cfg.Secret)
	}
	for _, raw := range s.urls() {
		u, _ := url.Parse(raw) // checked by normalize
		key := originKey(u)
		if s.origins[key] == nil {
			s.origins[key] = &origin{url: u}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.origins)) {
		if err := s.probe(ctx, s.origins[key]); err != nil {
			return nil, err
		}
	}
	s.transport = &http.Transport{
		// No proxy: the suite connects straight to the receiver, as
		// Userfront does and as the probe above did. HTTP/1.1 only (no
		// ForceAttemptHTTP2): a connection carries one request after the
		// other, which conn.go relies on.
		Proxy:               nil,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: cfg.Timeout,
		MaxIdleConnsPerHost: Concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	s.client = s.clientOf(s.transport)
	return s, nil
}

// clientOf returns a client that sends through tr, never follows a
// redirect, and gives up after the suite's timeout.
func (s *Suite) clientOf(tr *http.Transport) *http.Client {
	return &http.Client{
		Timeout: s.cfg.Timeout,
		// Webhook senders do not follow redirects, and following one would
		// send the token to another place.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     tr,
	}
}

// Close releases the suite's idle connections.
func (s *Suite) Close() { s.client.CloseIdleConnections() }

// Seed returns the seed of the payloads, chosen at random when Config.Seed
// was zero.
func (s *Suite) Seed() uint64 { return s.cfg.Seed }

// Config returns the configuration in use, with its defaults filled in.
func (s *Suite) Config() Config { return s.cfg }

// Check runs one case and returns its result. It never errors: a receiver
// that does not answer, or answers wrongly, gives a Result with Outcome Fail.
func (s *Suite) Check(ctx context.Context, c Case) Result {
	start := time.Now()
	var r Result
	switch {
	case c.Strict && !s.cfg.Strict:
		r = skipped("SHOULD-level case: run with -strict (ufhook check --strict) to include it")
	case c.check == nil:
		r = skipped("not a case of this suite: take cases from contract.Cases()")
	default:
		r = c.check(ctx, s, c)
	}
	r.Case = c
	r.Duration = time.Since(start)
	// A receiver that echoes the request's headers echoes the token: mask
	// it in what is printed, written to --json and to JUnit.
	r.Got, r.Reason = s.mask(r.Got, c.Event), s.mask(r.Reason, c.Event)
	return r
}

// normalize fills in the defaults of cfg and checks every field. It checks
// URLs with mock.ParseTarget, which leaves plain HTTP to the suite: in live
// mode, https/live-https reports an http:// URL.
func normalize(cfg Config) (Config, error) {
	if cfg.Target == "" {
		return cfg, fmt.Errorf("%w: no target: give the receiver's webhook URL, e.g. -target=https://127.0.0.1:8443/webhook", mock.ErrBadTarget)
	}
	if _, err := mock.ParseTarget(cfg.Target); err != nil {
		return cfg, err
	}
	if err := checkToken(cfg.Token); err != nil {
		return cfg, err
	}
	set, _ := openapi.Modes()
	if cfg.Mode == "" {
		cfg.Mode = gen.Mode(set.Default)
	} else if _, err := fake.CheckMode(string(cfg.Mode), set.Default); err != nil {
		return cfg, err
	}
	if err := mock.Routes(cfg.Routes).Check(); err != nil {
		return cfg, err
	}
	cfg.Routes = maps.Clone(cfg.Routes)
	switch {
	case cfg.Timeout < 0:
		return cfg, fmt.Errorf("%w: timeout %v is negative: give a positive duration such as 10s", mock.ErrBadConfig, cfg.Timeout)
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	}
	if err := checkSigning(cfg); err != nil {
		return cfg, err
	}
	if cfg.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		cfg.Seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	return cfg, nil
}

// urls returns the target and the route URLs.
func (s *Suite) urls() []string {
	out := []string{s.cfg.Target}
	for _, event := range slices.Sorted(maps.Keys(s.cfg.Routes)) {
		out = append(out, s.cfg.Routes[event])
	}
	return out
}

// urlFor returns the URL that receives ev.
func (s *Suite) urlFor(ev openapi.Event) string {
	if u, ok := s.cfg.Routes[ev.Name]; ok {
		return u
	}
	return s.cfg.Target
}

func originKey(u *url.URL) string { return u.Scheme + "://" + hostPort(u) }

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// probe connects to o once. A failed TCP connection is a setup error; a
// failed TLS handshake is recorded for the https cases.
func (s *Suite) probe(ctx context.Context, o *origin) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostPort(o.url))
	if err != nil {
		return fmt.Errorf("%w: cannot connect to %s: %w: start the receiver first, or fix -target/-route", ErrUnreachable, originKey(o.url), err)
	}
	defer conn.Close()
	if o.url.Scheme != "https" {
		return nil
	}
	// Offer TLS 1.0 to 1.3 without verifying, to learn the version the
	// server picks; then verify the chain it sent by hand.
	tc := tls.Client(conn, &tls.Config{ServerName: o.url.Hostname(), MinVersion: tls.VersionTLS10, InsecureSkipVerify: true})
	if err := tc.HandshakeContext(ctx); err != nil {
		o.handshakeErr = err
		return nil
	}
	st := tc.ConnectionState()
	o.version = st.Version
	if !s.cfg.Insecure {
		o.certErr = verify(st.PeerCertificates, o.url.Hostname(), s.roots)
	}
	return nil
}

// verify checks a server's chain as crypto/tls would.
func verify(chain []*x509.Certificate, host string, roots *x509.CertPool) error {
	if len(chain) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: host})
	return err
}

// exchange is one request and what came back.
type exchange struct {
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
	err     error
	// skip, when set, means the request was not sent, and why.
	skip string
	// timeout is the client's timeout, for messages.
	timeout time.Duration
	// reused tells whether the request went on a connection that had
	// carried an earlier request.
	reused bool
}

// request is what a case sends.
type request struct {
	method string        // "" means POST
	event  openapi.Event // selects the URL (routes); the zero Event means the target
	auth   cred          // the credentials: s.authHeader() for the right ones; the zero cred for none
	body   []byte
	// headers, when set, replace the event's header parameters of the
	// same names (delivery/unknown-event changes a fixed one).
	headers http.Header
	// sig, when not nil, is exactly the signature headers to send (a
	// signature case's forgery, or valid headers with one left out); nil
	// means a valid signature of body, made as the request is sent. It
	// matters only in a signed run (Config.Signature).
	sig http.Header
	// conn is the connection to send on. nil means the suite's shared pool
	// when auth is the right token, and else a fresh connection of the
	// request's own: no request with another header rides on a connection
	// that the right token opened, unless the case asks for it (conn.go).
	conn *conn
}

// send performs req, reading at most maxBody bytes of the answer.
func (s *Suite) send(ctx context.Context, req request) exchange {
	target := s.urlFor(req.event)
	u, _ := url.Parse(target)
	if o := s.origins[originKey(u)]; o != nil && !o.usable() {
		return exchange{skip: "no verified TLS 1.2+ connection to " + originKey(u) + " (see https/certificate and https/tls-version)"}
	}
	client := s.client
	switch {
	case req.conn != nil:
		client = req.conn.client
	case req.auth != s.authHeader():
		c := s.dial()
		defer c.close()
		client = c.client
	}
	method := req.method
	if method == "" {
		method = cmp.Or(req.event.Method, http.MethodPost)
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	auth := req.auth
	if auth.right {
		auth = rightCred(req.event, s.cfg.Token)
	}
	header := http.Header{}
	target = auth.apply(header, target)
	hr, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return exchange{err: err, timeout: s.cfg.Timeout}
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", cmp.Or(req.event.ContentType, "application/json"))
		// The header parameters of the webhook's operation, by which a
		// receiver may route (X-GitHub-Event), as the emitter sends them.
		// A value drawn for each body, so that each delivery has its own
		// (a delivery ID), and a repeat repeats it.
		if hs := req.event.Headers(); len(hs) > 0 {
			h := fnv.New64a()
			h.Write(req.body)
			seed := s.cfg.Seed ^ h.Sum64()
			for _, p := range hs {
				if k := http.CanonicalHeaderKey(p.Name); k != "Content-Type" && k != "Authorization" {
					hr.Header.Set(k, fake.HeaderValue(p, seed))
				}
			}
		}
	}
	for k, v := range req.headers {
		hr.Header[k] = v
	}
	if err := s.signRequest(hr.Header, req); err != nil {
		return exchange{err: err, timeout: s.cfg.Timeout}
	}
	hr.Header.Set("User-Agent", "ufhook-contract")
	for k, v := range header {
		hr.Header[k] = v
	}
	var reused atomic.Bool
	hr = hr.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused.Store(info.Reused) },
	}))
	start := time.Now()
	resp, err := client.Do(hr)
	if err != nil {
		return exchange{err: err, elapsed: time.Since(start), timeout: s.cfg.Timeout, reused: reused.Load()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	x := exchange{status: resp.StatusCode, header: resp.Header, body: b, elapsed: time.Since(start), timeout: s.cfg.Timeout, reused: reused.Load()}
	if err != nil {
		x.err = fmt.Errorf("reading the body: %w", err)
	}
	return x
}

// got describes what came back, for Result.Got.
func (x exchange) got() string {
	if x.status == 0 {
		var ne net.Error
		if errors.As(x.err, &ne) && ne.Timeout() {
			return fmt.Sprintf("no response within %v", x.timeout)
		}
		return fmt.Sprintf("no response: %v", x.err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", x.status, http.StatusText(x.status))
	if loc := x.header.Get("Location"); loc != "" && x.status/100 == 3 {
		fmt.Fprintf(&b, ", Location: %s", loc)
	}
	if body := snippet(x.body); body != "" {
		fmt.Fprintf(&b, ", body: %s", body)
	} else {
		b.WriteString(", empty body")
	}
	if x.err != nil {
		fmt.Fprintf(&b, " (%v)", x.err)
	}
	return b.String()
}

// short describes what came back in a word: the status, or "no response".
func (x exchange) short() string {
	if x.status == 0 {
		return "no response"
	}
	return strconv.Itoa(x.status)
}

// snippet returns the start of a body on one line, safe to print.
func snippet(body []byte) string {
	s := strings.ToValidUTF8(string(body), "�")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > bodyShown {
		s = string([]rune(s)[:bodyShown]) + "…"
	}
	return s
}

// payload returns the body that c starts from: a fake payload of c.Event in
// the case's shape and the suite's mode, with a seed of its own so that no
// two cases send the same body.
func (s *Suite) payload(c Case) ([]byte, error) {
	return s.payloadIn(c, s.cfg.Mode)
}

// payloadIn is payload with the payload's mode given.
func (s *Suite) payloadIn(c Case, mode gen.Mode) ([]byte, error) {
	if c.payload == nil {
		return nil, fmt.Errorf("case %s sends no payload", c.ID)
	}
	return payloadFor(s.cfg.Seed, mode, c.ID, c.Event, *c.payload)
}

// payloadFor returns the payload of ev in shape sh that case id sends in
// a run with the given seed and mode.
func payloadFor(seed uint64, mode gen.Mode, id string, ev openapi.Event, sh fake.Shape) ([]byte, error) {
	h := fnv.New64a()
	h.Write([]byte(id))
	return fake.Payload(ev, fake.Options{Seed: seed ^ h.Sum64(), Mode: mode, Shape: sh})
}

// authHeader returns the right credentials of the request's event: the
// Authorization header "Bearer <token>" for Userfront's webhooks, or what
// another scheme sends (rightCred).
func (s *Suite) authHeader() cred { return cred{right: true} }

// TokenWarning returns a warning for a person when token does not have the
// format that the document gives for the webhook API key of mode
// (x-ufhook-modes: token), such as a uf_test_ key in a live run of
// Userfront's: the run would then fail on every case for want of the right
// key. It returns "" when the token fits, when the document gives no format
// for mode, and for mode "". The warning shows the token masked.
func TokenWarning(token string, mode gen.Mode) string {
	set, ok := openapi.Modes()
	m, known := set.Lookup(string(mode))
	if !ok || !known || m.FitsToken(token) {
		return ""
	}
	w := fmt.Sprintf("the key %s does not have the format of a %s-mode key (%s): is it the %s key?", bearer.Mask(token), mode, m.Token, mode)
	for _, other := range set.Modes {
		if other.Name != m.Name && other.Token != nil && other.FitsToken(token) {
			w += fmt.Sprintf(" It looks like a %s-mode key: give the %s key, or run in %s mode", other.Name, mode, other.Name)
			break
		}
	}
	return w
}
