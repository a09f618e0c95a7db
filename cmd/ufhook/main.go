// Command ufhook is the one CLI over the ufhook toolkit: the event catalog,
// fake payloads, the mock emitter, the reference receiver, the conformance
// suite, the mock Userfront server and the demo. Run `ufhook --help`.
//
// Exit codes: 0 for success, 1 when a check or a delivery failed, 2 for a
// usage or configuration error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// version is the release, set with -ldflags "-X main.version=v1.2.3";
// otherwise init takes it from the module's build info (buildVersion).
var version = "dev"

// commit and date name the commit and the time of a release build, set with
// -ldflags "-X main.commit=... -X main.date=..." (the release archives'
// .goreleaser.yaml does); empty otherwise, and --version leaves them out.
var (
	commit string
	date   string
)

// versionLine is what --version prints after "ufhook version ": the version,
// then the commit and the build time when the build was given them.
func versionLine(version, commit, date string) string {
	var extra []string
	if commit != "" {
		extra = append(extra, "commit "+commit)
	}
	if date != "" {
		extra = append(extra, "built "+date)
	}
	if len(extra) == 0 {
		return version
	}
	return version + " (" + strings.Join(extra, ", ") + ")"
}

func init() {
	bi, ok := debug.ReadBuildInfo()
	version = buildVersion(version, bi, ok)
}

// buildVersion returns the version to report: given when it was set with
// -ldflags (anything but "dev"); else the module's version, which Go sets
// for go install module@version and, from the commit, for a build from a
// clone (v0.0.0-<time>-<commit>, +dirty for uncommitted changes); else, when
// Go recorded the commit only, devel- and its first 12 digits, with -dirty;
// else "dev". It holds no spaces, since it goes into the User-Agent header.
func buildVersion(given string, bi *debug.BuildInfo, ok bool) string {
	if given != "dev" && given != "" {
		return given
	}
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "devel-" + rev[:min(len(rev), 12)]
	if dirty {
		v += "-dirty"
	}
	return v
}

// Exit codes shared by every command.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// exitError carries an exit code with the error that caused it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or configuration error (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// asUsage marks an existing error as a usage or configuration error.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// failure marks err as a failed check or delivery (exit 1).
func failure(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitFailed, err: err}
}

// commands lists the constructors of the subcommands. Each command's file
// registers its constructor in an init function.
var commands []func() *cobra.Command

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "ufhook",
		Short: "Realistic Userfront webhooks, a verified receiver, and a conformance suite",
		Long: `ufhook produces realistic Userfront webhooks locally and proves that a
receiver handles them: auth, HTTPS and every action/model pair.
Everything is driven by one OpenAPI 3.1 document, openapi/webhooks.yaml.`,
		Version:       versionLine(version, commit, date),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see '%s --help')", err, c.CommandPath())
	})
	for _, mk := range commands {
		root.AddCommand(mk())
	}
	return root
}

// run executes the CLI with args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "ufhook: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Cobra's own errors (unknown command, bad arguments) are usage errors.
	return exitUsage
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
