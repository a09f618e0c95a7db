package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/server"
)

func TestNewAdminKey(t *testing.T) {
	for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
		a, b := server.NewAdminKey(mode), server.NewAdminKey(mode)
		assert.Regexp(t, `^uf_`+string(mode)+`_admin_[0-9a-f]{32}$`, a, "shaped like Userfront's admin keys")
		assert.NotEqual(t, a, b, "random")
	}
}

func TestNewWebhookKey(t *testing.T) {
	for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
		a, b := server.NewWebhookKey(mode, "demo1234"), server.NewWebhookKey(mode, "demo1234")
		assert.Regexp(t, `^uf_`+string(mode)+`_webhook_demo1234_[0-9a-f]{32}$`, a, "shaped like Userfront's webhook API keys")
		assert.NotEqual(t, a, b, "random")
		fresh := server.NewWebhookKey(mode, "")
		assert.Regexp(t, `^uf_`+string(mode)+`_webhook_[456789bdgjmnpqrvwxyz]{8}_[0-9a-f]{32}$`, fresh, "a fresh tenant id of Userfront's form")
	}
}

func TestAdminKeyPath(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		name     string
		file, db string
		home     string // $HOME and $XDG_CACHE_HOME; "" unsets both
		want     string
		wantErr  string
	}{
		{name: "given file, made absolute", file: "keys/admin", db: "ufhook.db", home: cache, want: filepath.Join(dir, "keys", "admin")},
		{name: "given file wins over memory", file: "/tmp/k", db: ":memory:", home: cache, want: "/tmp/k"},
		{name: "next to the database", db: "data/mock.db", home: cache, want: filepath.Join(dir, "data", "mock.db.admin-key")},
		{name: "in memory, under the cache dir", db: ":memory:", home: cache, want: filepath.Join(cache, "ufhook", "serve-admin-key")},
		{name: "in memory without a cache dir", db: ":memory:", wantErr: "give the key file's path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CACHE_HOME", tc.home)
			t.Setenv("HOME", tc.home)
			got, err := server.AdminKeyPath(tc.file, tc.db)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "in-memory database", "the error says why a cache directory was needed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLoadOrNewAdminKey(t *testing.T) {
	const kept = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	cases := []struct {
		name    string
		setup   func(t *testing.T, path string) // nil leaves no file
		wantKey string                          // "" means a new key
	}{
		{name: "no file"},
		{name: "a key", setup: write(kept), wantKey: kept},
		{name: "a key with white space around it", setup: write("\n  " + kept + "\r\n"), wantKey: kept},
		{name: "a short word", setup: write("uf_test_admin")},
		{name: "two words", setup: write("uf_test_admin_0123 456789abcdef")},
		{name: "an empty file", setup: write("")},
		{name: "a large file", setup: write(kept + strings.Repeat(" ", 1024))},
		{name: "a directory", setup: func(t *testing.T, path string) { require.NoError(t, os.Mkdir(path, 0o700)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "admin-key")
			if tc.setup != nil {
				tc.setup(t, path)
			}
			key, created := server.LoadOrNewAdminKey(path, gen.ModeLive)
			if tc.wantKey != "" {
				assert.False(t, created)
				assert.Equal(t, tc.wantKey, key)
			} else {
				assert.True(t, created)
				assert.Regexp(t, `^uf_live_admin_[0-9a-f]{32}$`, key)
			}
			if tc.setup == nil {
				assert.NoFileExists(t, path, "loading writes nothing")
			}
		})
	}
}

// write returns a setup that writes content to the path, readable by all.
func write(content string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

func TestWriteAdminKey(t *testing.T) {
	const key = "uf_test_admin_demo1234_59f60f53fa7cc018d8f93deceb0cc8e3"
	cases := []struct {
		name    string
		path    func(dir string) string
		setup   func(t *testing.T, dir string)
		wantErr bool
		// madeDirs are the directories WriteAdminKey must make, under dir.
		madeDirs []string
	}{
		{name: "a new file", path: func(dir string) string { return filepath.Join(dir, "key") }},
		{
			name:     "in new directories",
			path:     func(dir string) string { return filepath.Join(dir, "new dir", "sub", "key") },
			madeDirs: []string{"new dir", filepath.Join("new dir", "sub")},
		},
		{
			name: "over a readable, longer stale file",
			path: func(dir string) string { return filepath.Join(dir, "key") },
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "key"), []byte(strings.Repeat("stale ", 40)), 0o644))
			},
		},
		{
			name: "under a file",
			path: func(dir string) string { return filepath.Join(dir, "a-file", "key") },
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "a-file"), nil, 0o600))
			},
			wantErr: true,
		},
		{
			name: "in a directory that cannot be written",
			path: func(dir string) string { return filepath.Join(dir, "locked", "key") },
			setup: func(t *testing.T, dir string) {
				if os.Geteuid() == 0 {
					t.Skip("root writes anywhere")
				}
				require.NoError(t, os.Mkdir(filepath.Join(dir, "locked"), 0o500))
			},
			wantErr: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			path := tc.path(dir)
			err := server.WriteAdminKey(path, key)
			left, gerr := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp-*"))
			require.NoError(t, gerr)
			assert.Empty(t, left, "no temporary file is left behind")
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "only the owner can read the key file")
			for _, made := range tc.madeDirs {
				di, err := os.Stat(filepath.Join(dir, made))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o700), di.Mode().Perm(), "a directory made for the key is private")
			}
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, key, string(raw), "the file holds exactly the key")
			got, created := server.LoadOrNewAdminKey(path, gen.ModeTest)
			assert.False(t, created, "the next start keeps the key")
			assert.Equal(t, key, got)
		})
	}
}
