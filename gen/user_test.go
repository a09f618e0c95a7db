package gen_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
)

// TestCapturedUserDecodesIntoGenUser checks the generated User against a user
// record captured from Userfront's REST API: every field it has is a field of
// the type. The capture lives beside the spec, in openapi/testdata.
func TestCapturedUserDecodesIntoGenUser(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "openapi", "testdata", "user-GET.json"))
	require.NoError(t, err)
	var u gen.User
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&u))
	assert.Equal(t, 1, u.UserID)
	assert.Equal(t, "mock1234", u.TenantID)
	assert.Equal(t, gen.ModeLive, u.Mode)
	assert.True(t, u.PhoneNumber.IsNull())
	assert.Equal(t, "mock-user", u.Username.MustGet())
	require.NotNil(t, u.Tenant)
	assert.Equal(t, "Next", u.Tenant.Name)
	assert.Equal(t, "totp", u.PreferredSecondFactor.MustGet().Strategy)
	assert.Equal(t, "2024-05-15T23:04:50.787Z", u.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"))
}
