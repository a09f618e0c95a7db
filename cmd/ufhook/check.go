package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

func init() { commands = append(commands, withSpec(newCheckCmd)) }

// checkOptions are the flags of ufhook check.
type checkOptions struct {
	cfg    contract.Config
	mode   string
	routes mock.Routes
	junit  string
	asJSON bool
	sign   signFlags
}

func newCheckCmd() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check --target URL --token T",
		Short: "Run the conformance suite against a webhook receiver",
		Long: `Run the conformance suite against a running webhook receiver, written in any
language: auth (missing, wrong and near-miss tokens, wrong schemes, the other
mode's token, on fresh and on reused connections), HTTPS, every event of the
spec (full, sparse, null and unknown-field payloads, and, whatever the seed,
non-ASCII text, several tenants, empty lists, ~48 KiB and deeply nested data),
and delivery (redirects, malformed JSON, unknown events, repeats, timeouts).
--strict adds the SHOULD-level cases, among them a body of nearly 1 MiB.

It prints one line per case, a diagnosis when many cases fail for one reason
(the likely cause and the fix, said once), and a summary. It exits 0 when
every case passed, 1 when one failed, and 2 when the suite could not run (a
bad flag, an unreadable CA file, nothing listening at the target). The token
may come from UFHOOK_TOKEN instead of --token, which keeps it out of the
process list; it is never printed whole.

Signed webhooks: with --sign SCHEME (or the document's x-ufhook-signature)
and --secret (or UFHOOK_SIGNING_SECRET), every request is signed, and the
signature cases run: missing headers, another secret, a body changed after
signing, timestamps too old and in the future, another message id, several
signatures of which one is valid, an unknown version, a truncated
signature, a re-formatted body signed as sent, and a repeated message id.`,
		Example: `  ufhook check --target https://127.0.0.1:8443/webhook --token "$TOKEN" --ca ca.pem
  UFHOOK_TOKEN=... ufhook check --target http://localhost:3000/hooks --mode test --junit report.xml
  UFHOOK_SIGNING_SECRET=whsec_... ufhook check --spec svix.yaml --sign standard-webhooks --target https://127.0.0.1:8443/hooks --token user:password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cfg.Target, "target", "", "the receiver's webhook URL (required)")
	f.StringVar(&o.cfg.Token, "token", "", "the webhook API key the receiver expects (default $UFHOOK_TOKEN)")
	f.StringVar(&o.mode, "mode", "", "mode of the payloads and the token, one of the document's modes: live or test for Userfront's, where live requires https (default: the document's default, live for Userfront's)")
	f.StringVar(&o.cfg.CAFile, "ca", "", "PEM file of CA certificates to trust besides the system roots")
	f.BoolVar(&o.cfg.Insecure, "insecure", false, "skip certificate verification (https/certificate is then skipped)")
	f.Var(&o.routes, "route", "send EVENT to its own URL (repeatable)")
	f.DurationVar(&o.cfg.Timeout, "timeout", contract.DefaultTimeout, "bound on each request")
	f.BoolVar(&o.cfg.Strict, "strict", false, "also run the SHOULD-level cases (strict/...)")
	f.Uint64Var(&o.cfg.Seed, "seed", 0, "seed of the payloads (default: a random one, printed)")
	f.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object per case instead of text")
	o.sign.register(cmd, "sign every request, and run the signature cases, with", false)
	return cmd
}

func runCheck(cmd *cobra.Command, o checkOptions) error {
	cfg := o.cfg
	if cfg.Token == "" {
		cfg.Token = os.Getenv("UFHOOK_TOKEN")
	}
	cfg.Mode = gen.Mode(o.mode)
	if set, ok := openapi.Modes(); ok && cfg.Mode == "" {
		cfg.Mode = gen.Mode(set.Default)
	}
	cfg.Routes = o.routes
	if cfg.Target == "" {
		return usageError("--target is required: give the receiver's webhook URL, e.g. --target https://127.0.0.1:8443/webhook")
	}
	if cfg.Token == "" && needsToken() {
		return usageError("no webhook API key: give the key the receiver expects with --token or UFHOOK_TOKEN")
	}
	signed, err := o.sign.resolve(cmd, false)
	if err != nil {
		return err
	}
	if signed != nil {
		cfg.Signature, cfg.Secret = &signed.scheme, signed.secrets[0]
	}
	if o.junit != "" {
		// Fail now, not after the whole run.
		if err := checkWritable(o.junit); err != nil {
			return usageError("--junit %s: %v: give a writable --junit path (checked before the run)", o.junit, err)
		}
	}
	if w := contract.TokenWarning(cfg.Token, cfg.Mode); w != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "ufhook: warning: %s\n", w)
	}
	rep, err := contract.Run(cmd.Context(), cfg)
	if cmd.Context().Err() != nil {
		return failure(err) // interrupted: the results are incomplete
	}
	if err != nil {
		return asUsage(err)
	}
	out := cmd.OutOrStdout()
	mode := ", mode " + string(cfg.Mode)
	if cfg.Mode == "" {
		mode = "" // the document declares no modes
	}
	if signed != nil {
		mode += ", " + signed.describe()
	}
	header := fmt.Sprintf("target %s, key %s%s, seed %d", cfg.Target, bearer.Mask(cfg.Token), mode, rep.Seed)
	diags := rep.Diagnose()
	if o.asJSON {
		fmt.Fprintln(cmd.ErrOrStderr(), header)
		if err := writeJSONResults(out, rep, diags); err != nil {
			return err
		}
		writeDiagnoses(cmd.ErrOrStderr(), diags)
		writeNotes(cmd.ErrOrStderr())
		fmt.Fprintln(cmd.ErrOrStderr(), rep.Summary())
	} else {
		fmt.Fprintln(out, header)
		writeTextResults(out, rep)
		writeDiagnoses(out, diags)
		writeNotes(out)
		fmt.Fprintln(out, rep.Summary())
	}
	if o.junit != "" {
		if err := writeJUnitFile(o.junit, rep); err != nil {
			return asUsage(err)
		}
	}
	if rep.Failed() {
		_, failed, _ := rep.Count()
		return failure(fmt.Errorf("%d of %d cases failed: the receiver does not meet the requirements above (repeat with --seed %d)", failed, len(rep.Results), rep.Seed))
	}
	return nil
}

// writeTextResults prints one line per case, and the requirement, want and
// got under each failure.
func writeTextResults(w io.Writer, rep contract.Report) {
	width := 0
	for _, r := range rep.Results {
		width = max(width, len(r.Case.ID))
	}
	for _, r := range rep.Results {
		switch r.Outcome {
		case contract.Pass:
			fmt.Fprintf(w, "PASS  %-*s  %s\n", width, r.Case.ID, r.Got)
		case contract.Skip:
			fmt.Fprintf(w, "SKIP  %-*s  %s\n", width, r.Case.ID, r.Reason)
		default:
			fmt.Fprintf(w, "%s  %s\n", r.Outcome, r.Case.ID)
			for line := range strings.SplitSeq(r.Explain(), "\n") {
				fmt.Fprintf(w, "      %s\n", line)
			}
		}
	}
}

// writeNotes prints what the summary says besides the counts, such as
// that the document declares no security, so there were no auth cases.
func writeNotes(w io.Writer) {
	for _, note := range contract.Notes() {
		fmt.Fprintln(w, note)
	}
}

// needsToken reports whether a webhook of the document in use declares
// security, so that a key must be given: a document whose webhooks all
// declare none is sent and checked without one.
func needsToken() bool {
	evs, err := openapi.Events()
	if err != nil {
		return true
	}
	for _, ev := range evs {
		if ev.Auth.Scheme != openapi.AuthNone {
			return true
		}
	}
	return false
}

// writeDiagnoses prints each diagnosis on a line of its own, once, after
// the cases it explains.
func writeDiagnoses(w io.Writer, diags []contract.Diagnosis) {
	for _, d := range diags {
		fmt.Fprintln(w, d)
	}
}

// jsonResult is one line of --json.
type jsonResult struct {
	ID          string           `json:"id"`
	Outcome     contract.Outcome `json:"outcome"`
	Sends       string           `json:"sends"`
	Requirement string           `json:"requirement"`
	Strict      bool             `json:"strict,omitempty"`
	Want        string           `json:"want,omitempty"`
	Got         string           `json:"got,omitempty"`
	Status      int              `json:"status,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	// Diagnosis is the likely cause that this failure shares with others,
	// when there is one.
	Diagnosis  *jsonDiagnosis `json:"diagnosis,omitempty"`
	DurationMS float64        `json:"duration_ms"`
}

// jsonDiagnosis is a contract.Diagnosis without its list of cases: each
// case it explains carries it.
type jsonDiagnosis struct {
	Rule    string `json:"rule"`
	Finding string `json:"finding"`
	Fix     string `json:"fix"`
}

func writeJSONResults(w io.Writer, rep contract.Report, diags []contract.Diagnosis) error {
	enc := json.NewEncoder(w)
	for _, r := range rep.Results {
		line := jsonResult{
			ID: r.Case.ID, Outcome: r.Outcome, Sends: r.Case.Sends, Requirement: r.Case.Requirement, Strict: r.Case.Strict,
			Want: r.Want, Got: r.Got, Status: r.Status, Reason: r.Reason, DurationMS: float64(r.Duration.Microseconds()) / 1000,
		}
		for _, d := range diags {
			if r.Outcome == contract.Fail && d.Explains(r.Case.ID) {
				line.Diagnosis = &jsonDiagnosis{Rule: d.Rule, Finding: d.Finding, Fix: d.Fix}
				break
			}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// checkWritable checks that path can be written, as writeJUnitFile will
// once the run is over, without changing what is there: an existing file is
// opened for writing and left as it was, a new one is created and removed.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return errors.New("it is a folder")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		return f.Close()
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(path)
}

func writeJUnitFile(path string, rep contract.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the JUnit report: %w: give a writable --junit path", err)
	}
	err = rep.WriteJUnit(f, "ufhook contract")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write the JUnit report %s", path), err)
	}
	return nil
}
