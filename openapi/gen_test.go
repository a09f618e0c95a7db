package openapi_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// newTyped returns a pointer to the generated Go type of an event, so that the
// types, the schema and the examples cannot drift apart.
var newTyped = map[string]func() any{
	"user.created":   func() any { return new(gen.UserCreatedEvent) },
	"user.updated":   func() any { return new(gen.UserUpdatedEvent) },
	"user.deleted":   func() any { return new(gen.UserDeletedEvent) },
	"tenant.created": func() any { return new(gen.TenantCreatedEvent) },
	"tenant.updated": func() any { return new(gen.TenantUpdatedEvent) },
	"tenant.deleted": func() any { return new(gen.TenantDeletedEvent) },
}

func TestEventExamplesRoundTripThroughGeneratedTypes(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		mk, ok := newTyped[ev.Name]
		require.True(t, ok, "no generated type listed for %s", ev.Name)
		require.NotEmpty(t, ev.Schema.Examples, ev.Name)
		for _, ex := range ev.Schema.Examples {
			body, err := json.Marshal(ex)
			require.NoError(t, err)
			typed := mk()
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields() // every example field has a Go field
			require.NoError(t, dec.Decode(typed), ev.Name)
			again, err := json.Marshal(typed)
			require.NoError(t, err)
			assert.JSONEq(t, string(body), string(again), ev.Name)
		}
	}
}

func TestCapturedUserDecodesIntoGenUser(t *testing.T) {
	raw, err := json.Marshal(capturedUser(t))
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
