//go:build unix

package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The fake release the tests serve: a freshly built ufhook, stamped as
// .goreleaser.yaml stamps a release.
const (
	fakeVersion = "9.9.9-test"
	fakeCommit  = "0123456789abcdef0123456789abcdef01234567"
	fakeDate    = "2026-11-30T00:00:00Z"
	// fakeVersionLine is what the fake release's ufhook --version prints;
	// a snippet's output shows it when it ran the binary it downloaded.
	fakeVersionLine = "ufhook version v" + fakeVersion + " (commit " + fakeCommit + ", built " + fakeDate + ")"
	// testToken is a test-mode key, the one the snippets give their stand-in receiver.
	testToken = "uf_test_webhook_ci_0123456789abcdef"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// ufhookBinary builds cmd/ufhook once for the package, with the ldflags of
// .goreleaser.yaml, and returns its path.
func ufhookBinary(t *testing.T) string {
	t.Helper()
	c := readGoreleaser(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ufhook-release-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "ufhook")
		cmd := exec.Command("go", "build", "-o", builtBin, "-ldflags", c.ldflags(t, fakeVersion, fakeCommit, fakeDate), "./cmd/ufhook")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/ufhook: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

func TestBuiltVersion(t *testing.T) {
	out, err := exec.Command(ufhookBinary(t), "--version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, fakeVersionLine+"\n", string(out), "the ldflags of .goreleaser.yaml reach ufhook --version")
}

// fakeRelease serves, over loopback, what GitHub serves for a release made
// by .goreleaser.yaml: the archives of this machine's OS (the one binary
// under every architecture's name) and checksums.txt, under
// /latest/download/ and /download/v<version>/. With corrupt, checksums.txt
// does not match. It returns the base URL, the releases-url of the snippets.
func fakeRelease(t *testing.T, corrupt bool) string {
	t.Helper()
	c := readGoreleaser(t)
	archive := fakeArchive(t)
	files := map[string][]byte{}
	var sums strings.Builder
	for _, goarch := range c.Builds[0].Goarch {
		name := c.archiveName(t, runtime.GOOS, goarch)
		require.True(t, strings.HasSuffix(name, ".tar.gz"), name)
		files[name] = archive
		sum := sha256.Sum256(archive)
		if corrupt {
			sum[0] ^= 0xff
		}
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	files[c.Checksum.NameTemplate] = []byte(sums.String())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dir, name := pathSplit(r.URL.Path)
		body, ok := files[name]
		if r.Method != http.MethodGet || !ok || (dir != "/latest/download" && dir != "/download/v"+fakeVersion) {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var (
	archiveOnce  sync.Once
	archiveBytes []byte
	archiveErr   error
)

// fakeArchive returns the tar.gz of a release, as goreleaser lays it out:
// the README and the binary at the top. It is made once: compressing 30 MB
// takes seconds, minutes under -race.
func fakeArchive(t *testing.T) []byte {
	t.Helper()
	bin := ufhookBinary(t)
	archiveOnce.Do(func() {
		body, err := os.ReadFile(bin)
		if err != nil {
			archiveErr = err
			return
		}
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		tw := tar.NewWriter(gz)
		for _, f := range []struct {
			name string
			mode int64
			body []byte
		}{{"README.md", 0o644, []byte("# ufhook\n")}, {"ufhook", 0o755, body}} {
			if archiveErr = tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); archiveErr != nil {
				return
			}
			if _, archiveErr = tw.Write(f.body); archiveErr != nil {
				return
			}
		}
		if archiveErr = tw.Close(); archiveErr == nil {
			archiveErr = gz.Close()
		}
		archiveBytes = buf.Bytes()
	})
	require.NoError(t, archiveErr)
	return archiveBytes
}

func pathSplit(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	return p[:i], p[i+1:]
}

// freePort returns a port that was free a moment ago on 127.0.0.1.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	return port
}

// startReceiver runs the reference receiver of the fresh binary on loopback
// and returns its webhook URL.
func startReceiver(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(ufhookBinary(t), "receive", "--http", "--listen", "127.0.0.1:0", "--token", testToken)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)/`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		for sc.Scan() { // keep draining, so that the receiver never blocks on its output
		}
	}()
	select {
	case base := <-found:
		return base + "/webhooks"
	case <-time.After(time.Minute):
		t.Fatal("ufhook receive did not say where it listens within a minute")
		return ""
	}
}

// runner plays the part of a CI runner: it runs shell steps one after the
// other in one workspace, as GitHub Actions or GitLab CI would, and kills
// what they left running in the background when the test ends.
type runner struct {
	t         *testing.T
	workspace string
	temp      string
	env       map[string]string // the machine's, with no ufhook on PATH
	ghPath    string            // GITHUB_PATH
	ghEnv     string            // GITHUB_ENV
	out       bytes.Buffer      // what every step printed
}

func newRunner(t *testing.T) *runner {
	r := &runner{t: t, workspace: t.TempDir(), temp: t.TempDir()}
	r.ghPath = filepath.Join(r.temp, "github_path")
	r.ghEnv = filepath.Join(r.temp, "github_env")
	// PATH without any ufhook, so that a step finds only the one it installed.
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "ufhook")); err != nil {
			dirs = append(dirs, d)
		}
	}
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum", "awk", "grep", "nohup", "seq"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "the CI snippets need %s: install it (apt-get install %s)", tool, tool)
	}
	r.env = map[string]string{
		"PATH": strings.Join(dirs, string(os.PathListSeparator)), "HOME": t.TempDir(), "TMPDIR": r.temp,
		"CI": "true", "LANG": "C.UTF-8",
	}
	return r
}

// run runs script with shell (argv; the script's path is appended) in the
// workspace with env over the runner's environment and returns the error.
func (r *runner) run(name string, shell []string, script string, env map[string]string) error {
	r.t.Helper()
	f := filepath.Join(r.temp, fmt.Sprintf("step-%d.sh", time.Now().UnixNano()))
	require.NoError(r.t, os.WriteFile(f, []byte(script), 0o700))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, shell[0], append(shell[1:], f)...)
	cmd.Dir = r.workspace
	full := map[string]string{}
	for k, v := range r.env {
		full[k] = v
	}
	for k, v := range r.githubEnv() {
		full[k] = v
	}
	for k, v := range env {
		full[k] = v
	}
	if added := r.githubPath(); len(added) > 0 {
		full["PATH"] = strings.Join(append(added, full["PATH"]), string(os.PathListSeparator))
	}
	for k, v := range full {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	// Its own process group: what it leaves in the background is killed with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err := cmd.Start()
	if err == nil {
		pgid := cmd.Process.Pid
		r.t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		err = cmd.Wait()
	}
	fmt.Fprintf(&r.out, "--- step %q\n%s", name, out.String())
	r.t.Logf("step %q:\n%s", name, out.String())
	return err
}

// githubPath returns the folders steps added to GITHUB_PATH, the last first.
func (r *runner) githubPath() []string {
	b, _ := os.ReadFile(r.ghPath)
	var dirs []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			dirs = append([]string{l}, dirs...)
		}
	}
	return dirs
}

// githubEnv returns the NAME=value lines steps added to GITHUB_ENV.
func (r *runner) githubEnv() map[string]string {
	b, _ := os.ReadFile(r.ghEnv)
	env := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			env[k] = v
		}
	}
	return env
}

// expressionRE matches a GitHub Actions expression, ${{ ... }}.
var expressionRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// expand replaces each ${{ name }} in s by vars[name]; any other expression
// fails the test, so that nothing is run that was not evaluated.
func expand(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	return expressionRE.ReplaceAllStringFunc(s, func(m string) string {
		name := expressionRE.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		require.True(t, ok, "the test runner cannot evaluate ${{ %s }}: only inputs.*, env.*, runner.temp and github.workspace", name)
		return v
	})
}

// ghStep is a step of a workflow or of a composite action.
type ghStep struct {
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

type ghWorkflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []ghStep          `yaml:"steps"`
	} `yaml:"jobs"`
}

type actionMetadata struct {
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, v), "%s does not parse", rel)
}

// bashShell is how GitHub Actions runs `shell: bash` (and run steps on Linux).
var bashShell = []string{"bash", "--noprofile", "--norc", "-eo", "pipefail"}

// runGitHubStep runs one run step with vars for its expressions.
func (r *runner) runGitHubStep(s ghStep, vars, env map[string]string) error {
	r.t.Helper()
	require.Empty(r.t, s.If, "step %q: the test runner does not evaluate if: on run steps", s.Name)
	require.Contains(r.t, []string{"", "bash"}, s.Shell, "step %q: the test runner runs bash steps only", s.Name)
	stepEnv := map[string]string{}
	for k, v := range env {
		stepEnv[k] = v
	}
	for k, v := range s.Env {
		stepEnv[k] = expand(r.t, v, vars)
	}
	return r.run(s.Name, bashShell, expand(r.t, s.Run, vars), stepEnv)
}

// githubVars are the runner's variables: the environment the steps see.
func (r *runner) githubVars() map[string]string {
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	return map[string]string{
		"RUNNER_OS": "Linux", "RUNNER_ARCH": arch, "RUNNER_TEMP": r.temp,
		"GITHUB_WORKSPACE": r.workspace, "GITHUB_PATH": r.ghPath, "GITHUB_ENV": r.ghEnv, "GITHUB_ACTIONS": "true",
	}
}

// runAction runs action.yml's steps with the inputs given (with:) over its
// defaults, as a job's step `uses: ufhook/ufhook@...` would.
func (r *runner) runAction(with map[string]string, env map[string]string) error {
	r.t.Helper()
	var a actionMetadata
	readYAML(r.t, "action.yml", &a)
	require.Equal(r.t, "composite", a.Runs.Using)
	vars := map[string]string{"runner.temp": r.temp, "github.workspace": r.workspace}
	for name, in := range a.Inputs {
		vars["inputs."+name] = in.Default
		if in.Required {
			require.Contains(r.t, with, name, "action.yml: input %s is required", name)
		}
	}
	for name, v := range with {
		require.Contains(r.t, a.Inputs, name, "action.yml has no input %s", name)
		vars["inputs."+name] = v
	}
	for _, s := range a.Runs.Steps {
		require.NotEmpty(r.t, s.Run, "action.yml: step %q: the test runs run steps only", s.Name)
		if err := r.runGitHubStep(s, vars, env); err != nil {
			return fmt.Errorf("action.yml step %q: %w", s.Name, err)
		}
	}
	return nil
}

// runWorkflow runs every job of the workflow file rel, its env overridden by
// overrides (each must be a variable the workflow sets), and returns the
// actions it could not run here (uses: other than ufhook's own).
func (r *runner) runWorkflow(rel string, overrides map[string]string) []string {
	r.t.Helper()
	var w ghWorkflow
	readYAML(r.t, rel, &w)
	require.NotEmpty(r.t, w.Jobs, rel)
	var skipped []string
	for name, job := range w.Jobs {
		env := r.githubVars()
		vars := map[string]string{"runner.temp": r.temp, "github.workspace": r.workspace}
		for _, m := range []map[string]string{w.Env, job.Env} {
			for k, v := range m {
				env[k] = expand(r.t, v, vars)
			}
		}
		for k, v := range overrides {
			require.Contains(r.t, env, k, "%s job %s: the test overrides %s, which the job does not set", rel, name, k)
			env[k] = v
		}
		for k, v := range env {
			vars["env."+k] = v
		}
		for _, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "ufhook/ufhook@"):
				with := map[string]string{}
				for k, v := range s.With {
					with[k] = expand(r.t, v, vars)
				}
				require.NoError(r.t, r.runAction(with, env), "%s job %s step %q", rel, name, s.Name)
			case s.Uses != "":
				skipped = append(skipped, s.Uses)
			default:
				require.NoError(r.t, r.runGitHubStep(s, vars, env), "%s job %s step %q", rel, name, s.Name)
			}
		}
	}
	return skipped
}

// assertReport checks the JUnit report at path: cases ran, none failed.
func assertReport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err, "no JUnit report")
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal(b, &suites), "the JUnit report does not parse")
	assert.Greater(t, suites.Tests, 50, "the suite ran its cases")
	assert.Zero(t, suites.Failures, "the reference receiver passes")
	return string(b)
}

func TestGitHubActionsWorkflow(t *testing.T) {
	r := newRunner(t)
	skipped := r.runWorkflow("docs/ci/github-actions.yml", map[string]string{
		"UFHOOK_RELEASES": fakeRelease(t, false), "RECEIVER_PORT": freePort(t),
	})
	assert.Equal(t, []string{"actions/checkout@v4", "mikepenz/action-junit-report@v5"}, skipped,
		"GitHub's own actions do not run here; actionlint checks their inputs (lint_test.go)")
	assert.Contains(t, r.out.String(), fakeVersionLine, "the workflow ran the ufhook it downloaded")
	assertReport(t, filepath.Join(r.workspace, "report.xml"))
}

func TestGitHubActionWorkflow(t *testing.T) {
	r := newRunner(t)
	skipped := r.runWorkflow("docs/ci/github-action.yml", map[string]string{
		"UFHOOK_RELEASES": fakeRelease(t, false), "RECEIVER_PORT": freePort(t),
	})
	assert.Equal(t, []string{"actions/checkout@v4", "mikepenz/action-junit-report@v5"}, skipped)
	assert.Contains(t, r.out.String(), fakeVersionLine, "the action ran the ufhook it downloaded")
	assertReport(t, filepath.Join(r.workspace, "report.xml"))
}

func TestAction(t *testing.T) {
	target := startReceiver(t)
	cases := []struct {
		name    string
		corrupt bool
		with    map[string]string
		wantErr string
	}{
		{"a pinned version, extra args", false, map[string]string{"version": fakeVersion, "args": "--seed 42 --timeout 20s"}, ""},
		{"latest, the default junit path", false, map[string]string{"junit": ""}, ""},
		{"checksum mismatch", true, nil, "the download is corrupt or tampered with"},
		{"no such release", false, map[string]string{"version": "0.0.1"}, "check the version input (0.0.1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t)
			with := map[string]string{"target": target, "token": testToken, "mode": "test", "junit": "out.xml", "releases-url": fakeRelease(t, tc.corrupt)}
			for k, v := range tc.with {
				with[k] = v
			}
			if tc.with["junit"] == "" && tc.with != nil {
				delete(with, "junit") // the input's default
			}
			err := r.runAction(with, r.githubVars())
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, r.out.String(), tc.wantErr)
				assert.NotContains(t, r.out.String(), "passed,", "ufhook check must not run")
				return
			}
			require.NoError(t, err)
			assert.Contains(t, r.out.String(), fakeVersionLine)
			report := filepath.Join(r.workspace, cmpOr(with["junit"], "ufhook-report.xml"))
			xmlText := assertReport(t, report)
			if tc.with["args"] != "" {
				assert.Contains(t, xmlText, `<property name="seed" value="42">`, "args reach ufhook check")
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestGitLabCI(t *testing.T) {
	var jobs map[string]struct {
		Variables    map[string]string `yaml:"variables"`
		BeforeScript []string          `yaml:"before_script"`
		Script       []string          `yaml:"script"`
		Artifacts    struct {
			When    string `yaml:"when"`
			Reports struct {
				Junit string `yaml:"junit"`
			} `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	readYAML(t, "docs/ci/gitlab-ci.yml", &jobs)
	job, ok := jobs["ufhook-check"]
	require.True(t, ok, "docs/ci/gitlab-ci.yml: job ufhook-check")
	assert.Equal(t, "report.xml", job.Artifacts.Reports.Junit)
	assert.Equal(t, "always", job.Artifacts.When, "the report of a failed check matters most")

	r := newRunner(t)
	env := map[string]string{"CI_PROJECT_DIR": r.workspace, "GITLAB_CI": "true"}
	for k, v := range job.Variables {
		env[k] = v
	}
	for k, v := range map[string]string{"UFHOOK_RELEASES": fakeRelease(t, false), "RECEIVER_PORT": freePort(t)} {
		require.Contains(t, env, k)
		env[k] = v
	}
	// GitLab's runner runs before_script and script in one shell, stopping at
	// the first command that fails.
	script := "set -eo pipefail\n" + strings.Join(slices.Concat(job.BeforeScript, job.Script), "\n") + "\n"
	require.NoError(t, r.run("gitlab ufhook-check", []string{"bash", "--noprofile", "--norc"}, script, env))
	assert.Contains(t, r.out.String(), fakeVersionLine)
	assertReport(t, filepath.Join(r.workspace, job.Artifacts.Reports.Junit))
}

func TestCheckScript(t *testing.T) {
	target := startReceiver(t)
	script, err := filepath.Abs(filepath.Join(root, "docs", "ci", "check.sh"))
	require.NoError(t, err)
	cases := []struct {
		name     string
		env      map[string]string
		corrupt  bool
		wantCode int
		want     string
	}{
		{"latest", nil, false, 0, "passed, 0 failed"},
		{"a pinned version", map[string]string{"UFHOOK_VERSION": fakeVersion}, false, 0, "passed, 0 failed"},
		{"checksum mismatch", nil, true, 2, "the download is corrupt"},
		{"no target", map[string]string{"UFHOOK_TARGET": ""}, false, 2, "set UFHOOK_TARGET"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t)
			env := map[string]string{"UFHOOK_TARGET": target, "UFHOOK_TOKEN": testToken, "UFHOOK_RELEASES": fakeRelease(t, tc.corrupt)}
			for k, v := range tc.env {
				env[k] = v
			}
			// As its first line says: #!/bin/sh.
			err := r.run("check.sh", []string{"/bin/sh"}, "exec "+shellQuote(script)+"\n", env)
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantCode, code, r.out.String())
			assert.Contains(t, r.out.String(), tc.want)
			if tc.wantCode == 0 {
				assert.Contains(t, r.out.String(), fakeVersionLine)
				assertReport(t, filepath.Join(r.workspace, "report.xml"))
			}
		})
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
