package release

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// root is the repository, one folder up from this package.
const root = ".."

// goreleaserConfig is the part of .goreleaser.yaml that the tests read.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		NameTemplate string `yaml:"name_template"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	require.NoError(t, err)
	var c goreleaserConfig
	dec := yaml.NewDecoder(bytes.NewReader(b))
	require.NoError(t, dec.Decode(&c), ".goreleaser.yaml does not parse")
	require.Len(t, c.Builds, 1, ".goreleaser.yaml: want one build, of ./cmd/ufhook")
	require.Len(t, c.Archives, 1, ".goreleaser.yaml: want one archive section")
	return c
}

// render executes one of goreleaser's templates with data's fields.
func render(t *testing.T, text string, data map[string]string) string {
	t.Helper()
	tpl, err := template.New("").Option("missingkey=error").Parse(text)
	require.NoError(t, err, "template %q", text)
	var b strings.Builder
	require.NoError(t, tpl.Execute(&b, data), "template %q", text)
	return b.String()
}

// archiveName is the name .goreleaser.yaml gives the archive of goos/goarch.
func (c goreleaserConfig) archiveName(t *testing.T, goos, goarch string) string {
	a := c.Archives[0]
	format := a.Formats[0]
	for _, o := range a.FormatOverrides {
		if o.Goos == goos {
			format = o.Formats[0]
		}
	}
	return render(t, a.NameTemplate, map[string]string{"ProjectName": c.ProjectName, "Os": goos, "Arch": goarch}) + "." + format
}

// ldflags are the build's -ldflags, rendered as goreleaser would for a
// release of version at commit, built at date.
func (c goreleaserConfig) ldflags(t *testing.T, version, commit, date string) string {
	return render(t, strings.Join(c.Builds[0].Ldflags, " "), map[string]string{"Version": version, "FullCommit": commit, "Date": date})
}

func TestGoreleaserConfig(t *testing.T) {
	c := readGoreleaser(t)
	b := c.Builds[0]
	assert.Equal(t, 2, c.Version, "goreleaser v2 configuration")
	assert.Equal(t, "ufhook", c.ProjectName)
	assert.Equal(t, "./cmd/ufhook", b.Main)
	assert.Equal(t, "ufhook", b.Binary)
	assert.Contains(t, b.Env, "CGO_ENABLED=0", "static binaries, for the scratch image and any libc")
	assert.ElementsMatch(t, []string{"linux", "darwin", "windows"}, b.Goos)
	assert.ElementsMatch(t, []string{"amd64", "arm64"}, b.Goarch)
	flags := c.ldflags(t, "1.2.3", "4a59c8885ce6", "2026-11-30T00:00:00Z")
	for _, want := range []string{"-X main.version=v1.2.3", "-X main.commit=4a59c8885ce6", "-X main.date=2026-11-30T00:00:00Z"} {
		assert.Contains(t, flags, want, "the variables of cmd/ufhook/main.go")
	}
	assert.Equal(t, "checksums.txt", c.Checksum.NameTemplate, "action.yml, docs/ci and docs/install.md download checksums.txt")
	assert.Equal(t, "sha256", c.Checksum.Algorithm)

	// Every target's archive, by the names the scripts, the action and the
	// snippets use; the tar.gz names carry no version, for releases/latest/download.
	want := map[string]string{
		"linux/amd64": "ufhook_linux_amd64.tar.gz", "linux/arm64": "ufhook_linux_arm64.tar.gz",
		"darwin/amd64": "ufhook_darwin_amd64.tar.gz", "darwin/arm64": "ufhook_darwin_arm64.tar.gz",
		"windows/amd64": "ufhook_windows_amd64.zip", "windows/arm64": "ufhook_windows_arm64.zip",
	}
	snapshot, err := os.ReadFile(filepath.Join(root, "scripts", "release-snapshot.sh"))
	require.NoError(t, err)
	var got []string
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			name := c.archiveName(t, goos, goarch)
			got = append(got, name)
			assert.Equal(t, want[goos+"/"+goarch], name, "archive of %s/%s", goos, goarch)
			assert.Contains(t, string(snapshot), name, "scripts/release-snapshot.sh checks every archive")
		}
	}
	assert.Len(t, got, 6)
	assert.False(t, slices.Contains(got, ""), "no empty name")
	// The snippets hard-code the linux/amd64 name of GitHub's and GitLab's runners.
	for _, f := range []string{"docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), c.archiveName(t, "linux", "amd64"), f)
	}
}
