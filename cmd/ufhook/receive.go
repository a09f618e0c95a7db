package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
	"github.com/ufhook/ufhook/receiver/validator"
	"github.com/ufhook/ufhook/signature"
)

func init() { commands = append(commands, withSpec(newReceiveCmd)) }

// receiveConfig holds the flags of ufhook receive.
type receiveConfig struct {
	listen, token, testToken string
	tlsCert, tlsKey, caOut   string
	plainHTTP, asJSON        bool
	strict                   bool
	sign                     signFlags
	tolerance                time.Duration
	// signed is the resolved signing, nil when deliveries are not signed.
	signed *signing
}

func newReceiveCmd() *cobra.Command {
	var c receiveConfig
	cmd := &cobra.Command{
		Use:   "receive",
		Short: "Run the reference receiver: verify, validate and print each webhook",
		Long: `Run the reference receiver: it checks the webhook API key in constant time,
bounds the body, validates each payload against the spec, and prints one line
per webhook (time, event, mode, record id, status returned). Every path serves
every event of the spec.

It refuses (400) only what it cannot route or identify: a body that is not one
JSON object, an unknown model and action, a mode other than test or live, a
record without its id. Any other difference from the spec is accepted and
printed as warnings under the webhook's line, since the spec can be stricter
than Userfront and Userfront's records change over time. --strict refuses
every payload that breaks the spec instead.

Without --tls-cert it serves HTTPS with a certificate for localhost, 127.0.0.1
and ::1 from a local CA whose certificate is in a file that ufhook emit --ca
and curl --cacert can trust (--ca-out, with the CA's key beside it in
FILE.key, mode 0600). The CA is kept across restarts while it is valid, so
that a running emit --ca or serve --ca keeps trusting it; a new one is written
only after the port is bound. --http serves plain HTTP and
accepts only test-mode webhooks, since live webhooks need HTTPS.

The webhook API key comes from --token or UFHOOK_TOKEN; the test-mode key,
when it differs, from --test-token or UFHOOK_TEST_TOKEN. It stops cleanly on Ctrl+C
or SIGTERM.

With --spec FILE (or UFHOOK_SPEC), a document that has no generated Go
types, it verifies, validates and prints: each delivery goes to the webhook
named by the last segment of its path (/hooks/push), else to the one whose
fixed header values it carries (X-GitHub-Event: push), else to the one whose
consts its body carries, else to the one whose schema its body fits (the
first in document order when several do, with a warning). Then it checks the
credentials that webhook's security scheme declares: --token is the bearer
token, user:password for http basic, or the API key; it may be empty when no
webhook declares security. A payload that breaks the schema, or a
Content-Type that is not JSON, is printed with warnings, or refused with
--strict. Modes are Userfront's: --http accepts every delivery.

Signed webhooks: with --sign SCHEME (or the document's x-ufhook-signature)
it verifies each delivery's signature on the raw body, in constant time,
with --secret (or UFHOOK_SIGNING_SECRET; repeat --secret while a key is
rotated) and a --tolerance window on the timestamp, and refuses (401) every
delivery that does not verify.`,
		Example: `  ufhook receive --token "$UFHOOK_TOKEN"
  ufhook receive --listen 127.0.0.1:0 --json   # keys from $UFHOOK_TOKEN and $UFHOOK_TEST_TOKEN
  ufhook receive --http --ca-out ca.pem --token "$UFHOOK_TOKEN"
  ufhook receive --spec github.yaml --http --token "$UFHOOK_TOKEN"
  UFHOOK_SIGNING_SECRET=whsec_... ufhook receive --spec svix.yaml --sign standard-webhooks --token user:password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec := specInUse(cmd)
			if c.token == "" {
				c.token = os.Getenv("UFHOOK_TOKEN")
			}
			if spec != "" && c.testToken != "" {
				return usageError("--test-token is Userfront's test-mode key; a --spec document's webhooks carry one secret: drop --test-token")
			}
			if c.testToken == "" && spec == "" {
				c.testToken = os.Getenv("UFHOOK_TEST_TOKEN")
			}
			if c.token == "" && spec == "" {
				return usageError("no webhook API key: pass --token or set UFHOOK_TOKEN to the key from Userfront's webhook settings")
			}
			if c.token != "" {
				if err := checkKey("--token", c.token); err != nil {
					return err
				}
			}
			if c.testToken != "" {
				if err := checkKey("--test-token", c.testToken); err != nil {
					return err
				}
			}
			if (c.tlsCert == "") != (c.tlsKey == "") {
				return usageError("--tls-cert and --tls-key go together: give both, or neither for a certificate from the local CA")
			}
			if c.plainHTTP && c.tlsCert != "" {
				return usageError("--http serves plain HTTP and takes no --tls-cert: drop one of them")
			}
			if c.caOut != "" && (c.plainHTTP || c.tlsCert != "") {
				return usageError("--ca-out is for the generated CA: drop it with --http or --tls-cert")
			}
			var err error
			if c.signed, err = c.sign.resolve(cmd, true); err != nil {
				return err
			}
			if c.tolerance <= 0 {
				return usageError("--tolerance %s: give a positive duration, such as 5m (Standard Webhooks' recommendation)", c.tolerance)
			}
			var verifier *signature.Verifier
			if c.signed != nil {
				verifier = &signature.Verifier{Scheme: c.signed.scheme, Secrets: c.signed.secrets, Tolerance: c.tolerance}
			}
			show := printDeliveries(cmd.OutOrStdout(), c.asJSON)
			cfg := endpoint.Config{
				Listen:      c.listen,
				Options:     receiver.Options{Token: c.token, TestToken: c.testToken, Strict: c.strict, Signature: verifier},
				Callbacks:   receiver.Callbacks{OnDelivery: show},
				TLSCertFile: c.tlsCert,
				TLSKeyFile:  c.tlsKey,
				CAFile:      c.caOut,
				PlainHTTP:   c.plainHTTP,
				ServerLog:   slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)),
			}
			if spec != "" {
				h, err := validator.New(validator.Options{Token: c.token, Strict: c.strict, Signature: verifier, OnDelivery: printValidated(show)})
				if errors.Is(err, validator.ErrNoToken) {
					return asUsage(fmt.Errorf("%w; pass --token or set UFHOOK_TOKEN", err))
				}
				if err != nil {
					return err
				}
				cfg.Handler = h
			}
			srv, err := endpoint.Listen(cfg)
			if errors.Is(err, endpoint.ErrConfig) || errors.Is(err, receiver.ErrNoToken) {
				return asUsage(err)
			}
			if err != nil {
				return err
			}
			warnExposed(cmd.ErrOrStderr(), c.listen)
			write := writeReceiveHelp
			if spec != "" {
				write = func(w io.Writer, srv *endpoint.Server, c receiveConfig) error {
					return writeSpecReceiveHelp(w, srv, c, spec)
				}
			}
			if err := writeSigningHelp(cmd.ErrOrStderr(), c); err != nil {
				srv.Close()
				return err
			}
			if err := write(cmd.ErrOrStderr(), srv, c); err != nil {
				srv.Close()
				return err
			}
			return srv.Serve(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.listen, "listen", endpoint.DefaultListen, "address to listen on; port 0 picks a free port")
	f.StringVar(&c.token, "token", "", "webhook API key, the live-mode one when --test-token is set (default $UFHOOK_TOKEN); with --spec, the secret of the document's security schemes, empty when no webhook declares any")
	f.StringVar(&c.testToken, "test-token", "", "test-mode webhook API key, when it differs (default $UFHOOK_TEST_TOKEN)")
	f.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate to serve (default: one from the local CA of --ca-out)")
	f.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&c.caOut, "ca-out", "", "where the local CA certificate is kept, its key in FILE.key (default: ufhook/receive-ca.pem in the user cache folder)")
	f.BoolVar(&c.plainHTTP, "http", false, "serve plain HTTP; accepts test-mode webhooks only")
	f.BoolVar(&c.asJSON, "json", false, "print one JSON object per webhook, with the full payload")
	f.BoolVar(&c.strict, "strict", false, "refuse (400) every payload that breaks the spec, instead of accepting it with warnings")
	c.sign.register(cmd, "refuse (401) every delivery not signed with", true)
	f.DurationVar(&c.tolerance, "tolerance", signature.DefaultTolerance, "with a signature scheme that has a timestamp, the largest gap accepted between it and this machine's clock, either way")
	return cmd
}

// writeReceiveHelp writes where srv listens, where its CA certificate is,
// and ready-to-paste commands that send it webhooks. Tokens appear masked;
// the commands read them from $UFHOOK_TOKEN and $UFHOOK_TEST_TOKEN.
func writeReceiveHelp(w io.Writer, srv *endpoint.Server, c receiveConfig) error {
	ew := &errWriter{w: w}
	url := srv.URL()
	ew.printf("ufhook receive: listening on %s (every path serves every event)\n", url)
	writeCertLine(ew, srv, c, "plain HTTP: test-mode webhooks only, since live webhooks need HTTPS")
	caFlag, curlCA := "", ""
	if srv.CAFile() != "" {
		caFlag, curlCA = " --ca "+shellQuote(srv.CAFile()), " --cacert "+shellQuote(srv.CAFile())
	}
	type line struct{ env, mask, mode string }
	var lines []line
	switch {
	case c.testToken != "":
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(c.token), "live"}, {"UFHOOK_TEST_TOKEN", bearer.Mask(c.testToken), "test"}}
		if c.plainHTTP {
			lines = lines[1:]
		}
	case c.plainHTTP:
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(c.token), "test"}}
	default:
		lines = []line{{"UFHOOK_TOKEN", bearer.Mask(c.token), ""}}
	}
	signedWords, signFlag := c.signedSend()
	ew.printf("\nSend it webhooks%s (set $%s to the webhook API key, here %s):\n", signedWords, lines[0].env, lines[0].mask)
	for _, l := range lines {
		mode := ""
		if l.mode != "" {
			mode = " --mode " + l.mode
		}
		ew.printf("  ufhook emit %s--all --target %s --token \"$%s\"%s%s\n", signFlag, url, l.env, mode, caFlag)
	}
	l := lines[0]
	mode := ""
	if l.mode != "" {
		mode = " --mode " + l.mode
	}
	if c.signed == nil { // curl sends no signature, which this receiver would refuse
		ew.printf("  ufhook example user.created%s | curl%s -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' --data-binary @- %s\n", mode, curlCA, l.env, url)
	}
	if len(lines) > 1 {
		ew.printf("(test-mode webhooks need $%s, here %s)\n", lines[1].env, lines[1].mask)
	}
	ew.printf("\nStop with Ctrl+C.\n")
	return ew.err
}

// writeSigningHelp writes, when the deliveries must be signed, how, with
// the secret masked; nothing otherwise.
func writeSigningHelp(w io.Writer, c receiveConfig) error {
	if c.signed == nil {
		return nil
	}
	n := ""
	if len(c.signed.secrets) > 1 {
		n = fmt.Sprintf(", %d secrets", len(c.signed.secrets))
	}
	_, err := fmt.Fprintf(w, "ufhook receive: verifying signatures: %s (from %s; secret %s%s, tolerance %s)\n",
		c.signed.scheme, c.signed.from, c.signed.secret(), n, c.tolerance)
	return err
}

// signedSend returns, for the help's emit commands when the deliveries
// must be signed, the words after "Send it webhooks" and the --sign flag
// to give emit (none when the scheme comes from the document, which emit
// reads too); both empty otherwise.
func (c receiveConfig) signedSend() (words, flag string) {
	if c.signed == nil {
		return "", ""
	}
	if c.sign.sign != "" {
		flag = "--sign " + shellQuote(c.sign.sign) + " "
	}
	return ", signed with $" + secretEnv, flag
}

// specInUse returns the path of the document that --spec or UFHOOK_SPEC
// installed for cmd, or "" for the embedded Userfront document.
func specInUse(cmd *cobra.Command) string {
	f := cmd.Flags().Lookup("spec")
	if f == nil {
		return ""
	}
	if f.Changed {
		return f.Value.String()
	}
	return os.Getenv(specEnv)
}

// writeSpecReceiveHelp is writeReceiveHelp for a --spec document: where srv
// listens, how the webhooks authenticate, and a command that sends it every
// webhook. The token appears masked.
func writeSpecReceiveHelp(w io.Writer, srv *endpoint.Server, c receiveConfig, spec string) error {
	ew := &errWriter{w: w}
	url := srv.URL()
	ew.printf("ufhook receive: listening on %s (webhooks of %s; /NAME serves webhook NAME alone, every other path routes by headers, consts or schema)\n", url, spec)
	writeCertLine(ew, srv, c, "plain HTTP")
	evs, err := openapi.Events()
	if err != nil {
		return err
	}
	for _, ev := range evs {
		ew.printf("  %s: %s %s\n", ev.Name, ev.Method, ev.Auth)
	}
	caFlag := ""
	if srv.CAFile() != "" {
		caFlag = " --ca " + shellQuote(srv.CAFile())
	}
	signedWords, signFlag := c.signedSend()
	tok := ""
	if c.token != "" {
		ew.printf("\nSend it webhooks%s (set $UFHOOK_TOKEN to the secret, here %s):\n", signedWords, bearer.Mask(c.token))
		tok = ` --token "$UFHOOK_TOKEN"`
	} else {
		ew.printf("\nSend it webhooks%s (no webhook declares credentials):\n", signedWords)
	}
	ew.printf("  ufhook emit %s--all --spec %s --target %s%s%s\n", signFlag, shellQuote(spec), url, tok, caFlag)
	ew.printf("\nStop with Ctrl+C.\n")
	return ew.err
}

// printValidated adapts show, which prints receiver deliveries, to the
// deliveries of a validator.Handler, which have no mode or record id.
func printValidated(show func(receiver.Delivery)) func(validator.Delivery) {
	return func(d validator.Delivery) {
		show(receiver.Delivery{Time: d.Time, Event: d.Event, Status: d.Status, Err: d.Err, Warnings: d.Warnings, Body: d.Body})
	}
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

// maxPrintedWarnings is how many of a delivery's warnings receive prints,
// and maxWarningLine how long each may be: a warning quotes the payload's
// values, which may hold line breaks or be long.
const (
	maxPrintedWarnings = 5
	maxWarningLine     = 240
)

// printDeliveries returns an OnDelivery callback that writes one line per
// webhook to w: time, event, mode, record id, status and, for a rejection,
// why. A delivery with warnings gets their count on its line, and the first
// few below it, one per line. With asJSON it writes one JSON object per
// webhook instead, with the full payload and the warnings. It is safe for
// concurrent use; write errors are dropped.
func printDeliveries(w io.Writer, asJSON bool) func(receiver.Delivery) {
	var mu sync.Mutex
	// The event column fits the catalog's longest name, as emit's does.
	width := 1
	for _, name := range openapi.Names() {
		width = max(width, len(name))
	}
	return func(d receiver.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		shown := d.Warnings[:min(len(d.Warnings), maxPrintedWarnings)]
		if asJSON {
			rec := deliveryJSON{Time: d.Time.UTC(), Event: d.Event, Mode: string(d.Mode), RecordID: d.RecordID, Status: d.Status,
				WarningCount: len(d.Warnings), Warnings: shown}
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
		line := fmt.Sprintf("%s  %-*s %-4s %-10s %d", d.Time.UTC().Format("2006-01-02T15:04:05.000Z"), width, dash(d.Event), dash(string(d.Mode)), dash(d.RecordID), d.Status)
		if d.Err != nil {
			line += "  " + d.Err.Error()
		}
		switch n := len(d.Warnings); n {
		case 0:
		case 1:
			line += "  1 warning"
		default:
			line += fmt.Sprintf("  %d warnings", n)
		}
		for _, p := range shown {
			line += "\n    warning: " + oneLine(p.String(), maxWarningLine)
		}
		if more := len(d.Warnings) - len(shown); more > 0 {
			line += fmt.Sprintf("\n    and %d more", more)
		}
		io.WriteString(w, line+"\n")
	}
}

// deliveryJSON is one line of printDeliveries in JSON form.
type deliveryJSON struct {
	Time     time.Time `json:"time"`
	Event    string    `json:"event"`
	Mode     string    `json:"mode"`
	RecordID string    `json:"recordId"`
	Status   int       `json:"status"`
	Error    string    `json:"error,omitempty"`
	// WarningCount is how many warnings the delivery had; Warnings are the
	// first maxPrintedWarnings of them.
	WarningCount int               `json:"warningCount,omitempty"`
	Warnings     []openapi.Problem `json:"warnings,omitempty"`
	Payload      json.RawMessage   `json:"payload,omitempty"`
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeCertLine writes what srv serves: plain HTTP (plain, which says what
// that means for the document), or the CA or certificate to trust.
func writeCertLine(ew *errWriter, srv *endpoint.Server, c receiveConfig, plain string) {
	switch {
	case c.plainHTTP:
		ew.printf("%s\n", plain)
	case srv.CAFile() != "" && srv.CAReused():
		ew.printf("CA certificate: %s (the local CA of an earlier start, kept while valid; trust it with --ca or --cacert)\n", srv.CAFile())
	case srv.CAFile() != "":
		ew.printf("CA certificate: %s (a new local CA, kept for later starts; trust it with --ca or --cacert)\n", srv.CAFile())
	default:
		ew.printf("TLS certificate: %s\n", c.tlsCert)
	}
}
