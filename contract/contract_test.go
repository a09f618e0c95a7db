package contract

// This file runs the suite under go test:
//
//	go test ./contract -target=URL [-token=TOKEN] [-mode=live|test] [-ca=FILE] [-insecure]
//	                   [-route EVENT=URL]... [-timeout=10s] [-strict] [-seed=N] [-spec=FILE]
//	                   [-operation [EVENT=]METHOD]... [-content-type [EVENT=]TYPE]... [-auth=AUTH]
//	                   [-sign=SCHEME [-secret=SECRET]]
//
// TestContract has one subtest per case, named by the case's ID, so that
// -run 'Contract/auth' selects. -token defaults to $UFHOOK_TOKEN, as in
// every ufhook command, and -secret to $UFHOOK_SIGNING_SECRET when -sign
// is given (a signed run: every request is signed, and the signature/...
// cases run). A relative -ca path means what the user
// means: relative to the folder where go test was typed, not to ./contract,
// where go test runs the test binary (see resolveFlagPath). Without -target it tests the reference
// receiver instead (the self-test), and the other tests of the package run.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/signature"
)

var (
	flagTarget   = flag.String("target", "", "the receiver's webhook URL; empty runs the self-test")
	flagToken    = flag.String("token", "", "the webhook API key the receiver expects, at least 8 characters (default $UFHOOK_TOKEN)")
	flagMode     = flag.String("mode", "", "the mode of the payloads and the token, one of the document's modes: live or test for Userfront's (default: the document's default mode, live for Userfront's)")
	flagCA       = flag.String("ca", "", "a PEM file of CA certificates to trust besides the system roots")
	flagInsecure = flag.Bool("insecure", false, "skip certificate verification (https/certificate is then skipped)")
	flagRoutes   mock.Routes
	flagTimeout  = flag.Duration("timeout", DefaultTimeout, "bound on each request (go test takes -timeout itself: see TestMain)")
	flagStrict   = flag.Bool("strict", false, "also run the SHOULD-level cases (strict/...)")
	flagSeed     = flag.Uint64("seed", 0, "seed of the payloads; 0 picks one and prints it")
	flagSpec     = flag.String("spec", "", "an OpenAPI 3.1 document with webhooks, YAML or JSON, to use instead of Userfront's (default $UFHOOK_SPEC); only TestContract runs then")
	flagAuth     = flag.String("auth", "", "with -spec, the auth of every webhook in place of the document's security: none, bearer, basic (-token user:password), header:NAME or query:NAME")
	flagSign     = flag.String("sign", "", "sign every request and run the signature cases: a scheme as signature.Parse reads it, e.g. standard-webhooks, hmac-sha256, timestamped or \"hmac-sha256 header=X-Sig\"; none for unsigned (default: the document's x-ufhook-signature, if any)")
	flagSecret   = flag.String("secret", "", "with -sign, the signing secret the receiver verifies with, never printed whole (default $UFHOOK_SIGNING_SECRET)")
	flagOps      = choiceFlag{}
	flagTypes    = choiceFlag{}
)

func init() {
	flag.Var(&flagRoutes, "route", "EVENT=URL: send EVENT to its own URL (repeatable)")
	flag.Var(flagOps, "operation", "with -spec, [EVENT=]METHOD: the operation sent for webhooks with several (repeatable; default post)")
	flag.Var(flagTypes, "content-type", "with -spec, [EVENT=]TYPE: the JSON media type sent for request bodies with several (repeatable; default application/json)")
}

// choiceFlag collects the values of -operation or -content-type
// (openapi.ParseChoice).
type choiceFlag map[string]string

// String writes the choices, for flag's help.
func (c choiceFlag) String() string { return fmt.Sprint(map[string]string(c)) }

// Set adds one choice.
func (c choiceFlag) Set(v string) error { return openapi.ParseChoice(c, v) }

// selfToken is the reference receiver's token in the self-tests.
const selfToken = hooktest.Token

// tally counts the outcomes of TestContract's subtests, for the summary line,
// and keeps their results, for the diagnosis.
var tally struct {
	sync.Mutex
	pass, fail, skip int
	results          []Result
}

// external is the suite for -target, built by TestMain.
var external *Suite

func TestMain(m *testing.M) {
	flag.Parse()
	if err := useSpec(); err != nil {
		fmt.Fprintf(os.Stderr, "contract: %v\n", err)
		os.Exit(2)
	}
	if selfTest() {
		// strict/fast times the reference and the faulty receivers, which
		// share a loaded machine with the race detector: the self-test
		// checks what the suite does with a slow answer (the 12 s
		// receiver), not how fast this machine is.
		strictLatency = time.Minute
	}
	if *flagTarget != "" {
		adoptGoTestTimeout()
		if !flagGiven("token") {
			*flagToken = os.Getenv("UFHOOK_TOKEN")
		}
		ca, err := resolveFlagPath("ca", *flagCA)
		if err != nil {
			fmt.Fprintf(os.Stderr, "contract: %v\n", err)
			os.Exit(2)
		}
		*flagCA = ca
		if _, signed := flagScheme(); !flagGiven("secret") && signed {
			*flagSecret = os.Getenv(signingSecretEnv)
		}
		// Cases wait on the network, not on the CPU: run as many at once as
		// Run does, unless -parallel says otherwise.
		if !flagGiven("test.parallel") {
			_ = flag.Set("test.parallel", strconv.Itoa(Concurrency))
		}
		cfg, err := targetConfig()
		if err != nil {
			fmt.Fprintf(os.Stderr, "contract: %v\n", err)
			os.Exit(2)
		}
		s, err := New(context.Background(), cfg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "contract: %v\n", err)
			os.Exit(2)
		}
		external = s
		mode := ", mode " + string(s.cfg.Mode)
		if s.cfg.Mode == "" {
			mode = "" // the document declares no modes
		}
		signed := ""
		if s.signer != nil {
			signed = fmt.Sprintf(", signed %s, secret %s", s.signer.Scheme().Name, s.signer.Secret())
		}
		fmt.Printf("contract: target %s, token %s%s%s, timeout %v, seed %d\n", *flagTarget, bearer.Mask(*flagToken), mode, signed, s.cfg.Timeout, s.Seed())
		if w := TokenWarning(s.cfg.Token, s.cfg.Mode); w != "" {
			fmt.Fprintf(os.Stderr, "contract: warning: %s\n", w)
		}
	}
	code := m.Run()
	if external != nil {
		external.Close()
	}
	tally.Lock()
	if n := tally.pass + tally.fail + tally.skip; n > 0 {
		for _, d := range tallied().Diagnose() {
			fmt.Println(d)
		}
		for _, note := range Notes() {
			fmt.Println(note)
		}
		fmt.Println(Summary(tally.pass, tally.fail, tally.skip))
	}
	tally.Unlock()
	os.Exit(code)
}

// tallied returns the results of TestContract's subtests as a Report, in
// the order of Cases. The caller holds tally's lock.
func tallied() Report {
	order := map[string]int{}
	cases := Cases()
	if external != nil {
		cases = external.Cases()
	}
	for i, c := range cases {
		order[c.ID] = i
	}
	rs := slices.Clone(tally.results)
	slices.SortFunc(rs, func(a, b Result) int { return order[a.Case.ID] - order[b.Case.ID] })
	return Report{Results: rs}
}

// signingSecretEnv is the environment variable that -secret defaults to,
// as the CLI's --secret does.
const signingSecretEnv = "UFHOOK_SIGNING_SECRET"

// flagScheme returns the text of the scheme in effect: -sign, else the
// document's x-ufhook-signature; signed is false for none, or -sign=none.
func flagScheme() (text string, signed bool) {
	switch {
	case strings.EqualFold(*flagSign, "none"):
		return "", false
	case *flagSign != "":
		return *flagSign, true
	}
	if sc, ok := openapi.Signing(); ok {
		return sc.Name, true
	}
	return "", false
}

// targetConfig builds the Config from the flags. It errors on a -sign that
// signature.Parse refuses, and on -secret without a scheme (-sign, or the
// document's x-ufhook-signature).
func targetConfig() (Config, error) {
	var scheme *signature.Scheme
	if text, signed := flagScheme(); signed && *flagSign == "" {
		sc, _ := openapi.Signing()
		scheme = &sc
	} else if signed {
		sc, err := signature.Parse(text)
		if err != nil {
			return Config{}, fmt.Errorf("-sign=%s: %w", text, err)
		}
		scheme = &sc
	}
	return Config{
		Target:   *flagTarget,
		Token:    *flagToken,
		Mode:     gen.Mode(*flagMode),
		CAFile:   *flagCA,
		Insecure: *flagInsecure,
		Routes:   flagRoutes,
		Timeout:  *flagTimeout,
		Strict:   *flagStrict,
		Seed:     *flagSeed,

		Signature: scheme,
		Secret:    *flagSecret,
	}, nil
}

// adoptGoTestTimeout makes `go test ./contract -target=URL -timeout=D` work
// as documented. go test takes -timeout for itself and hands it to the test
// binary as -test.timeout (the deadline of the whole run), so the suite's
// own -timeout flag only sees a value written after -args. When the suite's
// flag was not given and go test's differs from its default of 10m, D becomes
// the per-request timeout, and the binary's own deadline is lifted so that a
// slow receiver fails its cases instead of panicking the run; go test itself
// still stops the run one minute after D.
func adoptGoTestTimeout() {
	if flagGiven("timeout") {
		return
	}
	f := flag.Lookup("test.timeout")
	if f == nil {
		return
	}
	d, err := time.ParseDuration(f.Value.String())
	if err != nil || d <= 0 || d == 10*time.Minute {
		return
	}
	*flagTimeout = d
	_ = flag.Set("test.timeout", "0")
}

// resolveFlagPath makes the relative path p of the file flag name mean what
// the user meant. go test runs the test binary inside the package's folder
// and sets PWD to it, so a relative path would resolve inside ./contract; it
// is resolved against the folder of the process that started the binary
// instead: the go command, whose folder is where go test was typed, or the
// shell that ran a compiled test binary. Where that folder cannot be read
// (no /proc), a relative path is refused with a message saying to give an
// absolute one.
func resolveFlagPath(name, p string) (string, error) {
	if p == "" || filepath.IsAbs(p) {
		return p, nil
	}
	dir, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", os.Getppid()))
	if err != nil || !filepath.IsAbs(dir) {
		return "", fmt.Errorf("-%s=%s: a relative path would be read inside the contract package's folder, where go test runs the suite, and the folder go test was typed in cannot be found on this system: give an absolute path, e.g. -%s=\"$PWD/%s\"", name, p, name, p)
	}
	return filepath.Join(dir, p), nil
}

// flagGiven reports whether the flag was set on the command line.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// selfTest reports whether the package tests itself (no -target).
func selfTest() bool { return *flagTarget == "" }

// specInUse is the path of the document installed by -spec or UFHOOK_SPEC,
// or empty for the embedded one.
var specInUse string

// useSpec installs the document of -spec, or else of $UFHOOK_SPEC, for the
// whole run (a relative path means what it does for -ca: see
// resolveFlagPath). The package's own tests and examples test the suite on
// Userfront's document, so that unless -run says otherwise only TestContract
// runs then.
func useSpec() error {
	name, path := "-spec", *flagSpec
	if !flagGiven("spec") {
		name, path = "UFHOOK_SPEC", os.Getenv("UFHOOK_SPEC")
	}
	if path == "" {
		for _, f := range []string{"auth", "operation", "content-type"} {
			if flagGiven(f) {
				return fmt.Errorf("-%s needs -spec (or UFHOOK_SPEC): Userfront's document leaves nothing to choose", f)
			}
		}
		return nil
	}
	abs, err := resolveFlagPath("spec", path)
	if err != nil {
		return err
	}
	opts := openapi.LoadOptions{Operations: flagOps, ContentTypes: flagTypes}
	if *flagAuth != "" {
		if opts.Auth, err = openapi.ParseAuth(*flagAuth); err != nil {
			return fmt.Errorf("-auth: %w", err)
		}
	}
	if err := openapi.UseFileWith(abs, opts); err != nil {
		return fmt.Errorf("%s=%s: %w", name, path, err)
	}
	for _, w := range openapi.Warnings() {
		fmt.Fprintf(os.Stderr, "warning: %s: %s\n", path, w)
	}
	for _, ch := range openapi.Choices() {
		fmt.Fprintf(os.Stderr, "%s: %s\n", path, ch)
	}
	specInUse = abs
	if !flagGiven("test.run") {
		_ = flag.Set("test.run", "^TestContract$")
	}
	return nil
}

// skipWithTarget skips the package's own tests when the run is against a
// target, or on a document given with -spec: they test the suite on
// Userfront's document, not the receiver.
func skipWithTarget(t *testing.T) {
	t.Helper()
	if !selfTest() {
		t.Skip("-target given: only TestContract runs against a receiver")
	}
	if specInUse != "" {
		t.Skip("-spec given: only TestContract runs on " + specInUse)
	}
}

// quietServer returns an unstarted test server whose panics and TLS errors
// are not logged: several faulty receivers cause them on purpose.
func quietServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	return srv
}

// serveTLS serves h over HTTPS with a certificate from ca.
func serveTLS(t testing.TB, h http.Handler, ca *hooktest.CA) *hooktest.Server {
	t.Helper()
	return ca.NewTLSServer(t, h)
}

// reference returns the reference receiver with the self-test token.
func reference(t testing.TB, opts receiver.Options, cb receiver.Callbacks) http.Handler {
	t.Helper()
	if opts.Token == "" {
		opts.Token = selfToken
	}
	h, err := receiver.New(opts, cb)
	require.NoError(t, err)
	return h
}

// TestContract runs every case as a subtest named by its ID: against -target
// when given, else against the reference receiver over TLS, where every case,
// strict ones included, must pass.
func TestContract(t *testing.T) {
	s := external
	if s == nil {
		ca := hooktest.NewCA(t)
		srv := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca)
		var err error
		s, err = New(t.Context(), Config{Target: srv.URL + "/webhook", Token: selfToken, RootCAs: ca.Pool(), Strict: true, Seed: *flagSeed})
		require.NoError(t, err, "self-test setup")
		t.Cleanup(s.Close)
	}
	ctx := context.Background()
	for _, c := range s.Cases() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			r := s.Check(ctx, c)
			tally.Lock()
			switch r.Outcome {
			case Pass:
				tally.pass++
			case Fail:
				tally.fail++
			case Skip:
				tally.skip++
			}
			tally.results = append(tally.results, r)
			tally.Unlock()
			switch r.Outcome {
			case Fail:
				t.Errorf("%s", r.Explain())
			case Skip:
				t.Skip(r.Reason)
			default:
				t.Logf("got %s (%v)", r.Got, r.Duration.Round(time.Millisecond))
			}
		})
	}
}

// faultyNamed returns the faulty receiver of the self-test with that name.
func faultyNamed(t *testing.T, name string) faulty {
	t.Helper()
	fs := faultyReceivers()
	i := slices.IndexFunc(fs, func(f faulty) bool { return f.name == name })
	require.GreaterOrEqual(t, i, 0, "no faulty receiver %q", name)
	return fs[i]
}

// TestGoTestInvocation runs this test binary as `go test ./contract
// -target=...` does, against receivers on loopback, and checks the exit code
// and the output: the summary line, the failing case named with its
// requirement, and bad flags stopped with a message.
func TestGoTestInvocation(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	caFile := ca.File
	here, err := os.Getwd()
	require.NoError(t, err)
	good := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"
	anyBearer := faultyNamed(t, "any bearer accepted")
	bad := serveTLS(t, anyBearer.defect(reference(t, receiver.Options{}, receiver.Callbacks{})), ca).URL + "/webhook"
	bareToken := faultyNamed(t, "compares the header with the bare token")
	bare := serveTLS(t, bareToken.defect(reference(t, receiver.Options{}, receiver.Callbacks{})), ca).URL + "/webhook"
	cases := Cases()
	n := len(cases)
	count := func(keep func(Case) bool) int { return len(ids(cases, keep)) }
	strict := count(func(c Case) bool { return c.Strict })
	auth := count(idHasPrefix("auth/"))
	https := count(idHasPrefix("https/"))
	wwwOrMethod := count(func(c Case) bool { return regexp.MustCompile(`^strict/(www|method)`).MatchString(c.ID) })
	anyBearerFails := count(func(c Case) bool { return anyBearer.fails(t, c) && !c.Strict })
	bareTokenFails := count(func(c Case) bool { return bareToken.fails(t, c) && !c.Strict })

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		dont     []string
	}{
		{"correct receiver", []string{"-target=" + good, "-token=" + selfToken, "-ca=" + caFile},
			0, []string{Summary(n-strict, 0, strict), "token uf_t…c2f", "timeout 10s"}, []string{"signed", "signature/"}},
		{"cases selected by -run", []string{"-target=" + good, "-token=" + selfToken, "-ca=" + caFile, "-test.run=Contract/auth", "-test.v"},
			0, []string{Summary(auth, 0, 0), "--- PASS: TestContract/auth/token-prefix"}, []string{"TestContract/events"}},
		{"strict", []string{"-target=" + good, "-token=" + selfToken, "-ca=" + caFile, "-strict", "-test.run=Contract/strict/(www|method)", "-test.v"},
			0, []string{Summary(wwwOrMethod, 0, 0), "--- PASS: TestContract/strict/method-not-allowed"}, nil},
		{"go test -timeout is the request timeout", []string{"-target=" + good, "-token=" + selfToken, "-ca=" + caFile, "-test.timeout=3s", "-test.run=Contract/https"},
			0, []string{"timeout 3s", Summary(https, 0, 0)}, nil},
		{"receiver that accepts any bearer", []string{"-target=" + bad, "-token=" + selfToken, "-ca=" + caFile, "-seed=5"},
			1, []string{"--- FAIL: TestContract/auth/wrong-token", "requirement: A webhook with a wrong token is rejected with 401 or 403",
				"want:        401 or 403", "got:         204 No Content", Summary(n-anyBearerFails-strict, anyBearerFails, strict), "seed 5"},
			[]string{"diagnosis:"}},
		{"receiver that compares the header with the bare token", []string{"-target=" + bare, "-token=" + selfToken, "-ca=" + caFile},
			1, []string{"--- FAIL: TestContract/events/user.created/full",
				"\ndiagnosis: every event was refused with 401 although it carried the right token as \"Bearer <token>\", but the bare token without \"Bearer \" was accepted (auth/no-scheme): " +
					"the receiver compares the header with the bare token: compare the whole Authorization header with \"Bearer <token>\"",
				fmt.Sprintf("(explains %d failed cases: auth/no-scheme, events/user.created/full, events/user.created/sparse and %d more)\n%s\n",
					bareTokenFails, bareTokenFails-3, Summary(n-bareTokenFails-strict-1, bareTokenFails, strict+1))}, nil},
		{"bad target", []string{"-target=ftp://example.com", "-token=" + selfToken}, 2, []string{"contract: bad target URL"}, []string{"PASS", "FAIL:"}},
		{"unreadable CA", []string{"-target=" + good, "-token=" + selfToken, "-ca=/nonexistent/ca.pem"}, 2, []string{"contract: bad CA file"}, nil},
		{"relative CA path missing where go test was typed", []string{"-target=" + good, "-token=" + selfToken, "-ca=ca.pem"}, 2,
			[]string{"contract: bad CA file", filepath.Join(here, "ca.pem")}, nil},
		{"bad route", []string{"-target=" + good, "-token=" + selfToken, "-route=user.archived=" + good}, 2, []string{"bad route", "known events are"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"-test.run=^TestContract$"}, tc.args...)
			out := runTestBinary(t, nil, args, tc.wantCode, tc.want, tc.dont)
			assert.NotContains(t, out, selfToken, "the token must never be printed whole")
		})
	}
}

// TestRelativeCAPath runs this test binary as go test does: in a folder of
// its own (the package's), started by a process in another folder (where
// the user typed go test). A relative -ca names a file in the latter.
func TestRelativeCAPath(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	good := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"
	here, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(here, ca.File)
	require.NoError(t, err)
	require.False(t, filepath.IsAbs(rel))
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestContract$", "-target="+good, "-token="+selfToken, "-ca="+rel, "-test.run=Contract/https")
	// The package's folder, where go test runs the binary: deeper than this
	// one, so that rel's ".." steps cannot reach the file from there.
	cmd.Dir = filepath.Join(t.TempDir(), strings.Repeat("sub/", strings.Count(rel, "..")+1))
	require.NoError(t, os.MkdirAll(cmd.Dir, 0o755))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "a -ca path relative to where go test was typed must be found:\n%s", out)
	assert.NotContains(t, string(out), "bad CA file")
}

// TestTokenFromEnvironment checks that -token defaults to $UFHOOK_TOKEN, as
// the CLI's --token does.
func TestTokenFromEnvironment(t *testing.T) {
	skipWithTarget(t)
	ca := hooktest.NewCA(t)
	good := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestContract$", "-target="+good, "-ca="+ca.File, "-test.run=Contract/auth/wrong")
	cmd.Env = append(os.Environ(), "UFHOOK_TOKEN="+selfToken)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "output:\n%s", out)
	assert.Contains(t, string(out), "token "+bearer.Mask(selfToken))
	assert.NotContains(t, string(out), selfToken, "the token must never be printed whole")
}

// runTestBinary runs this test binary again with args and env (added to the
// process's own), as go test runs it, and checks its exit code and that its
// output holds every string of want and none of dont. It returns the output.
func runTestBinary(t *testing.T, env, args []string, wantCode int, want, dont []string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	assert.Equal(t, wantCode, code, "output:\n%s", out)
	for _, w := range want {
		assert.Contains(t, string(out), w)
	}
	for _, d := range dont {
		assert.NotContains(t, string(out), d)
	}
	return string(out)
}
