package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The examples of docs/distributed-load.md.
const (
	loadJobFile    = "../../docs/k8s/ufhook-load-job.yaml"
	loadMatrixFile = "../../docs/ci/load-matrix.yml"
)

// yamlDocuments decodes every document of a YAML file.
func yamlDocuments(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "%s parses", path)
		docs = append(docs, doc)
	}
	return docs
}

// dig follows keys (strings) and indices (ints) into a decoded document.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not a mapping at %q", path, k)
			v = m[k]
		case int:
			s, ok := v.([]any)
			require.True(t, ok && k < len(s), "%v: no item %d", path, k)
			v = s[k]
		}
	}
	return v
}

// checkEmitArgs parses an emit command line of the docs, shard I/N's with
// index as I, with emit's own flags: each flag must exist and take its
// value, and --shard must be index/n.
func checkEmitArgs(t *testing.T, args []string, index, n int) {
	t.Helper()
	require.NotEmpty(t, args)
	require.Equal(t, "emit", args[0])
	cmd := newEmitCmd()
	require.NoError(t, cmd.ParseFlags(args[1:]), "%v", args)
	fl := cmd.Flags()
	spec, err := fl.GetString("shard")
	require.NoError(t, err)
	sh, err := parseShard(spec)
	require.NoError(t, err)
	assert.Equal(t, index, sh.Index)
	assert.Equal(t, n, sh.Count)
	assert.True(t, fl.Changed("seed"), "every shard has the same --seed")
	results, err := fl.GetString("results")
	require.NoError(t, err)
	assert.Contains(t, results, "shard-"+strconv.Itoa(index)+".json", "each shard writes its own file")
}

// TestDocsIndexedJob: the Indexed Job runs N pods, pod I running emit
// --shard I/N with flags emit knows, and the merge Job waits for the N
// files that they write where it reads them.
func TestDocsIndexedJob(t *testing.T) {
	docs := yamlDocuments(t, loadJobFile)
	var job, merge map[string]any
	for _, d := range docs {
		if d["kind"] != "Job" {
			continue
		}
		if dig(t, d, "spec", "completionMode") == "Indexed" {
			job = d
		} else {
			merge = d
		}
	}
	require.NotNil(t, job, "an Indexed Job")
	require.NotNil(t, merge, "a merge Job")
	n, ok := dig(t, job, "spec", "completions").(int)
	require.True(t, ok)
	assert.Equal(t, n, dig(t, job, "spec", "parallelism"), "every shard runs at once")
	var args []string
	for _, a := range dig(t, job, "spec", "template", "spec", "containers", 0, "args").([]any) {
		args = append(args, a.(string))
	}
	require.Contains(t, args, "--shard=$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n))
	for i := range n {
		expanded := make([]string, len(args))
		for k, a := range args { // as Kubernetes expands it in pod i
			expanded[k] = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))
		}
		checkEmitArgs(t, expanded, i, n)
	}
	script := strings.Join(toStrings(dig(t, merge, "spec", "template", "spec", "containers", 0, "command")), " ")
	assert.Contains(t, script, "ufhook report merge /out/shard-*.json -o /out/merged.json")
	assert.Equal(t, strconv.Itoa(n), dig(t, merge, "spec", "template", "spec", "containers", 0, "env", 0, "value"), "SHARDS is N")
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// envVar matches "$NAME" in a step's script.
var envVar = regexp.MustCompile(`"\$([A-Z_]+)"`)

// TestDocsLoadMatrix: the CI matrix has shards 0 to N-1, each running
// emit --shard I/N with flags emit knows, and the merge job merges the
// files that they upload.
func TestDocsLoadMatrix(t *testing.T) {
	doc := yamlDocuments(t, loadMatrixFile)[0]
	indices := dig(t, doc, "jobs", "shard", "strategy", "matrix", "shard").([]any)
	n := len(indices)
	for i, v := range indices {
		require.Equal(t, i, v, "the matrix's shards count from 0")
	}
	steps := dig(t, doc, "jobs", "shard", "steps").([]any)
	var emit map[string]any
	for _, s := range steps {
		if run, _ := s.(map[string]any)["run"].(string); strings.Contains(run, "ufhook emit") {
			emit = s.(map[string]any)
		}
	}
	require.NotNil(t, emit, "a step runs ufhook emit")
	env := emit["env"].(map[string]any)
	for i := range n {
		// Expand the step's variables as the runner would for shard i.
		vars := map[string]string{}
		for k, v := range env {
			s := strings.NewReplacer("${{ matrix.shard }}", strconv.Itoa(i), "${{ strategy.job-total }}", strconv.Itoa(n)).Replace(v.(string))
			if strings.Contains(s, "${{") {
				s = "1" // an input: any value that parses
			}
			vars[k] = s
		}
		line := envVar.ReplaceAllStringFunc(emit["run"].(string), func(m string) string { return vars[envVar.FindStringSubmatch(m)[1]] })
		words := strings.Fields(line)
		require.Equal(t, "ufhook", words[0])
		words = slices.DeleteFunc(words[1:], func(w string) bool { return w == "" })
		// --target 1 and --duration 1 are not what a run would get but
		// are enough for the flags to parse: fix --duration's.
		for k := range words {
			if words[k] == "--duration" {
				words[k+1] = "2m"
			}
		}
		checkEmitArgs(t, words, i, n)
	}
	var merged bool
	for _, s := range dig(t, doc, "jobs", "merge", "steps").([]any) {
		if run, _ := s.(map[string]any)["run"].(string); strings.Contains(run, "ufhook report merge results/shard-*.json -o merged.json") {
			merged = true
		}
	}
	assert.True(t, merged, "the last job merges the shards' files")
	assert.Equal(t, "shard", dig(t, doc, "jobs", "merge", "needs"))
}

// docs/ci/load-matrix.yml is linted with the other workflows, by actionlint
// as a library and shellcheck, in package release (release/lint_test.go).
