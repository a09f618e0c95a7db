package release

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// shellcheck returns the path of shellcheck, which actionlint runs over the
// run: scripts and the tests over the shell scripts. .ci/run installs it; a
// machine without it fails here, since a lint that ran nothing proves nothing.
func shellcheck(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("shellcheck")
	require.NoError(t, err, "shellcheck is not on PATH: apt-get install shellcheck (.ci/run does)")
	return p
}

// lintWorkflow runs actionlint, with shellcheck, over a workflow's content,
// in the repository's project (so that `uses: ./` finds action.yml), and
// returns its findings.
func lintWorkflow(t *testing.T, path string, content []byte) []string {
	t.Helper()
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck(t), WorkingDir: abs, Oneline: true})
	require.NoError(t, err)
	proj, err := actionlint.NewProject(abs)
	require.NoError(t, err)
	errs, err := l.Lint(path, content, proj)
	require.NoError(t, err)
	var found []string
	for _, e := range errs {
		found = append(found, e.Error())
	}
	return found
}

func TestActionlintWorkflows(t *testing.T) {
	files := []string{"docs/ci/github-actions.yml", "docs/ci/github-action.yml", "docs/ci/load-matrix.yml"}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, f))
			require.NoError(t, err)
			// ufhook/ufhook@v1 is this repository's action: lint it as the local
			// one, so that actionlint checks the inputs given against action.yml.
			if strings.Contains(string(b), "uses: ufhook/ufhook@") {
				b = []byte(strings.ReplaceAll(string(b), "uses: ufhook/ufhook@v1", "uses: ./"))
				require.Contains(t, string(b), "uses: ./", "%s: use the action as ufhook/ufhook@v1", f)
			}
			assert.Empty(t, lintWorkflow(t, f, b), "actionlint finds no problem in %s", f)
		})
	}
}

// TestActionlintWorkflowCatches proves that the lint runs and that its
// shellcheck does: a workflow with a typo in an expression and an unquoted
// variable is refused.
func TestActionlintWorkflowCatches(t *testing.T) {
	bad := `on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: ./
        with:
          target: http://127.0.0.1/
          no-such-input: x
      - run: echo ${{ github.shaa }}
      - run: ls $HOME_DIR/*.xml
`
	found := strings.Join(lintWorkflow(t, "bad.yml", []byte(bad)), "\n")
	assert.Contains(t, found, `input "no-such-input" is not defined in action "ufhook check"`)
	assert.Contains(t, found, `property "shaa" is not defined`)
	assert.Contains(t, found, "SC2086", "shellcheck ran over the run: scripts")
}

// TestActionlintAction lints action.yml. actionlint lints workflows, not
// action metadata, so: it parses action.yml as it does a local action's,
// then lints its steps as a reusable workflow's, with the action's inputs as
// the workflow's, which checks their expressions and shellchecks their scripts.
func TestActionlintAction(t *testing.T) {
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	proj, err := actionlint.NewProject(abs)
	require.NoError(t, err)
	meta, _, err := actionlint.NewLocalActionsCache(proj, nil).FindMetadata("./")
	require.NoError(t, err, "action.yml does not parse as action metadata")
	require.NotNil(t, meta, "no action.yml at the root")
	assert.Equal(t, "composite", meta.Runs.Using)
	for _, name := range []string{"target", "token", "mode", "spec", "junit", "version", "args", "releases-url"} {
		assert.Contains(t, meta.Inputs, name, "action.yml input %s", name)
	}
	assert.True(t, meta.Inputs["target"].Required, "target is required")

	var a struct {
		Inputs map[string]struct {
			Required bool   `yaml:"required"`
			Default  string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	readYAML(t, "action.yml", &a)
	inputs := map[string]any{}
	for name, in := range a.Inputs {
		if in.Required {
			inputs[name] = map[string]any{"type": "string", "required": true}
		} else {
			inputs[name] = map[string]any{"type": "string", "default": in.Default}
		}
	}
	wf := map[string]any{
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": a.Runs.Steps}},
	}
	b, err := yaml.Marshal(wf)
	require.NoError(t, err)
	require.Len(t, a.Runs.Steps, 2)
	assert.Empty(t, lintWorkflow(t, "action.yml (its steps as a workflow's)", b))
}

func TestShellcheckScripts(t *testing.T) {
	sc := shellcheck(t)
	scripts, err := filepath.Glob(filepath.Join(root, "scripts", "*.sh"))
	require.NoError(t, err)
	scripts = append(scripts, filepath.Join(root, "docs", "ci", "check.sh"))
	require.GreaterOrEqual(t, len(scripts), 3)
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			out, err := exec.Command(sc, s).CombinedOutput()
			assert.NoError(t, err, "shellcheck %s:\n%s", s, out)
		})
	}
}
