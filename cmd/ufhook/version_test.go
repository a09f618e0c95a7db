package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "8274e46aa1b2c3d4e5f60718293a4b5c6d7e8f90"
	cases := []struct {
		name  string
		given string
		bi    *debug.BuildInfo
		ok    bool
		want  string
	}{
		{"set with -ldflags", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}}, true, "v1.2.3"},
		{"go install module@version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0"},
		{"source build, version from the commit", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129212111-4a59c8885ce6+dirty"}, Settings: vcs(rev, "true")}, true, "v0.0.0-20261129212111-4a59c8885ce6+dirty"},
		{"source build, clean", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, true, "devel-8274e46aa1b2"},
		{"source build, uncommitted changes", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, true, "devel-8274e46aa1b2-dirty"},
		{"source build without VCS", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "dev"},
		{"no build info", "dev", nil, false, "dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, buildVersion(tc.given, tc.bi, tc.ok))
		})
	}
}

func TestVersionLine(t *testing.T) {
	cases := []struct {
		name, version, commit, date, want string
	}{
		{"release build", "1.2.3", "4a59c8885ce6", "2026-11-30T01:00:00Z", "1.2.3 (commit 4a59c8885ce6, built 2026-11-30T01:00:00Z)"},
		{"commit only", "1.2.3", "4a59c8885ce6", "", "1.2.3 (commit 4a59c8885ce6)"},
		{"neither: go install or a clone", "v1.4.0", "", "", "v1.4.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionLine(tc.version, tc.commit, tc.date))
		})
	}
}
