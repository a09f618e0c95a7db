package contract

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// TestGoTestSpec runs this test binary as `go test ./contract -spec=FILE`
// does: on the document of FILE, against a target or as a self-test, and
// with a bad document, which stops the run with exit 2 before anything is
// sent. It installs seventh.yaml while it builds a receiver from it, so it
// must not call t.Parallel.
func TestGoTestSpec(t *testing.T) {
	skipWithTarget(t)
	seventh, err := filepath.Abs(filepath.Join("..", "openapi", "testdata", "seventh.yaml"))
	require.NoError(t, err)
	bad, err := filepath.Abs(filepath.Join("..", "openapi", "testdata", "bad", "openapi-3.0.yaml"))
	require.NoError(t, err)

	// The reference receiver keeps the events it was built with: build it
	// from seventh.yaml, then put the embedded document back.
	ca := hooktest.NewCA(t)
	require.NoError(t, openapi.UseFile(seventh))
	good := serveTLS(t, reference(t, receiver.Options{}, receiver.Callbacks{}), ca).URL + "/webhook"
	require.NoError(t, openapi.Use(openapi.Spec()))

	tests := []struct {
		name     string
		args     []string
		env      string // UFHOOK_SPEC
		wantCode int
		want     []string
		dont     []string
	}{
		{"target", []string{"-spec=" + seventh, "-target=" + good, "-token=" + selfToken, "-ca=" + ca.File, "-test.run=Contract/events/user.archived", "-test.v"}, "",
			0, []string{"--- PASS: TestContract/events/user.archived/full"}, []string{"FAIL"}},
		{"self-test runs TestContract only", []string{"-spec=" + seventh, "-test.v"}, "",
			0, []string{"--- PASS: TestContract/events/user.archived/full", "--- PASS: TestContract/auth/wrong-token"}, []string{"FAIL", "TestGoTestInvocation", "ExampleCases"}},
		{"UFHOOK_SPEC", []string{"-test.run=Contract/events/user.archived/full", "-test.v"}, seventh,
			0, []string{"--- PASS: TestContract/events/user.archived/full"}, nil},
		{"bad document", []string{"-spec=" + bad, "-target=" + good, "-token=" + selfToken, "-ca=" + ca.File}, "",
			2, []string{"contract: -spec=" + bad + ": ", bad + `:1: /openapi is "3.0.3"`, "convert the document to 3.1"}, []string{"PASS", "FAIL:", "passed"}},
		{"bad document in UFHOOK_SPEC", []string{"-target=" + good, "-token=" + selfToken, "-ca=" + ca.File}, bad,
			2, []string{"contract: UFHOOK_SPEC=" + bad + ": ", "convert the document to 3.1"}, []string{"PASS", "passed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runTestBinary(t, []string{"UFHOOK_SPEC=" + tc.env}, tc.args, tc.wantCode, tc.want, tc.dont)
		})
	}
}
