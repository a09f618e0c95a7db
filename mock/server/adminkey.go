package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ufhook/ufhook/gen"
)

// The admin key file keeps a generated admin key across restarts, so that
// the apps and scripts configured with it keep working: LoadOrNewAdminKey
// reads the key an earlier start wrote, and WriteAdminKey writes it back,
// readable only by its owner.

// NewAdminKey returns a random admin key shaped like Userfront's admin API
// keys: uf_<mode>_admin_ and 32 hex digits.
func NewAdminKey(mode gen.Mode) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "uf_" + string(mode) + "_admin_" + hex.EncodeToString(b[:])
}

// NewWebhookKey returns a random webhook API key shaped like Userfront's:
// uf_<mode>_webhook_, the tenant's id, an underscore and 32 hex digits
// (uf_test_webhook_demo1234_...). An empty tenantID stands for a fresh
// one, made as the mock's tenant ids are.
func NewWebhookKey(mode gen.Mode, tenantID string) string {
	if tenantID == "" {
		tenantID = newTenantID()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "uf_" + string(mode) + "_webhook_" + tenantID + "_" + hex.EncodeToString(b[:])
}

// AdminKeyPath returns the absolute path of the admin key file of a server
// whose database is db: file when it is not empty, else the database's path
// plus ".admin-key", else, for ":memory:", ufhook/serve-admin-key under the
// user's cache directory. It errors when an in-memory database finds no
// cache directory, or when the path cannot be made absolute.
func AdminKeyPath(file, db string) (string, error) {
	p := file
	switch {
	case p != "":
	case db != ":memory:":
		p = db + ".admin-key"
	default:
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("an in-memory database keeps the generated admin key in the user cache directory, but %w: give the key file's path", err)
		}
		p = filepath.Join(dir, "ufhook", "serve-admin-key")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("admin key file %s: %w: give an absolute path", p, err)
	}
	return abs, nil
}

// LoadOrNewAdminKey returns the admin key that an earlier start kept in
// path, or, when path holds none, a new key for mode (NewAdminKey) with
// created true. A file holds a key when it is readable, at most 1 KiB, and
// one word of at least 16 characters, surrounding white space aside.
// LoadOrNewAdminKey writes nothing: call WriteAdminKey once the server is
// up, so that a start that fails leaves no file behind.
func LoadOrNewAdminKey(path string, mode gen.Mode) (key string, created bool) {
	if key, ok := readAdminKey(path); ok {
		return key, false
	}
	return NewAdminKey(mode), true
}

// readAdminKey returns the admin key in path, if the file holds one.
func readAdminKey(path string) (string, bool) {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) > 1024 {
		return "", false
	}
	key := strings.TrimSpace(string(raw))
	if len(key) < 16 || strings.ContainsAny(key, " \t\r\n") {
		return "", false
	}
	return key, true
}

// WriteAdminKey writes key to path with mode 0600, through a temporary file
// in the same directory and a rename, so that the file is never seen
// half-written and a readable stale file is replaced by a private one. A
// missing directory is created with mode 0700. It errors when the directory
// or the file cannot be written, and then leaves no temporary file behind.
func WriteAdminKey(path, key string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(key)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
