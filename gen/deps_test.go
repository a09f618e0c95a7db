package gen_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsStayLight checks the promise of package gen: importing it pulls
// in the standard library, oapi-codegen's runtime types and nullable (with
// what they need), and nothing else. A generator option such as client or
// embedded-spec would add kin-openapi, yaml, jsonschema and golang.org/x/text.
func TestImportsStayLight(t *testing.T) {
	gotool, err := exec.LookPath("go")
	require.NoError(t, err, "this test runs `go list`: put the go command on PATH")
	cmd := exec.Command(gotool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/ufhook/ufhook/gen")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly") // never the network
	out, err := cmd.Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "go list: %s", stderr)

	allowed := []string{ // module paths: a package of one, or below it
		"github.com/ufhook/ufhook/gen",
		"github.com/oapi-codegen/runtime",
		"github.com/oapi-codegen/nullable",
		"github.com/google/uuid", // behind runtime's UUID type
	}
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/oapi-codegen/nullable", "go list printed no module dependency, so this test checks nothing: %q", out)
	for _, dep := range deps {
		ok := false
		for _, a := range allowed {
			ok = ok || dep == a || strings.HasPrefix(dep, a+"/")
		}
		assert.True(t, ok, "package gen depends on %s: importers of gen must get only the standard library, oapi-codegen's runtime types and nullable; drop the oapi-codegen option that adds it in gen/cfg.yaml (client and embedded-spec pull kin-openapi, yaml, jsonschema and golang.org/x/text)", dep)
	}
}
