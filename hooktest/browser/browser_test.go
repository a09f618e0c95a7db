package browser_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/hooktest/browser"
)

func TestArtifacts(t *testing.T) {
	t.Setenv("UFHOOK_ARTIFACTS", "")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "artifacts"), browser.Artifacts(t), "beside go.mod, from a package two folders down")

	dir := filepath.Join(t.TempDir(), "shots")
	t.Setenv("UFHOOK_ARTIFACTS", dir)
	assert.Equal(t, dir, browser.Artifacts(t))
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, info.IsDir(), "made if need be")
}
