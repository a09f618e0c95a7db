package endpoint_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
	"github.com/ufhook/ufhook/receiver/endpoint"
)

// TestEmitterEndToEnd has the emitter send every event, in both modes and
// every shape, to endpoint.Listen over verified TLS, trusting only the CA
// file that Listen wrote: what `ufhook emit --ca` does.
func TestEmitterEndToEnd(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	count := func(event string, mode gen.Mode) error {
		mu.Lock()
		defer mu.Unlock()
		got[event+"/"+string(mode)]++
		return nil
	}
	srv := startServer(t, endpoint.Config{
		Listen:  "127.0.0.1:0",
		Options: receiver.Options{Token: liveToken, TestToken: testToken},
		Callbacks: receiver.Callbacks{
			OnUserCreated:   func(_ context.Context, ev gen.UserCreatedEvent) error { return count("user.created", ev.Mode) },
			OnUserUpdated:   func(_ context.Context, ev gen.UserUpdatedEvent) error { return count("user.updated", ev.Mode) },
			OnUserDeleted:   func(_ context.Context, ev gen.UserDeletedEvent) error { return count("user.deleted", ev.Mode) },
			OnTenantCreated: func(_ context.Context, ev gen.TenantCreatedEvent) error { return count("tenant.created", ev.Mode) },
			OnTenantUpdated: func(_ context.Context, ev gen.TenantUpdatedEvent) error { return count("tenant.updated", ev.Mode) },
			OnTenantDeleted: func(_ context.Context, ev gen.TenantDeletedEvent) error { return count("tenant.deleted", ev.Mode) },
			OnLoginLinkEmail: func(_ context.Context, ev gen.LoginLinkEmailEvent) error {
				return count("user.login.link.email", ev.Mode)
			},
			OnLoginCodeEmail: func(_ context.Context, ev gen.LoginCodeEmailEvent) error {
				return count("user.login.code.email", ev.Mode)
			},
			OnLoginCodeSms: func(_ context.Context, ev gen.LoginCodeSmsEvent) error { return count("user.login.code.sms", ev.Mode) },
		},
		CAFile: filepath.Join(t.TempDir(), "ca.pem"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang guard
	defer cancel()

	shapes := []fake.Shape{fake.Realistic, fake.Full, fake.Sparse, fake.WithUnknownFields}
	for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
		token := map[gen.Mode]string{gen.ModeTest: testToken, gen.ModeLive: liveToken}[mode]
		em, err := mock.NewEmitter(mock.Config{Target: srv.URL(), Token: token, Mode: mode, CAFile: srv.CAFile(), Timeout: 10 * time.Second})
		require.NoError(t, err)
		for _, event := range openapi.Names() {
			for i, shape := range shapes {
				body, err := fake.Payload(openapi.MustLookup(event), fake.Options{Seed: uint64(i + 1), Mode: mode, Shape: shape})
				require.NoError(t, err)
				r := em.Send(ctx, openapi.MustLookup(event), body)
				assert.True(t, r.OK(), "%s %s shape %d: status %d, %v, %s", mode, event, shape, r.Status, r.Err, r.Excerpt)
				assert.Equal(t, 204, r.Status)
			}
		}
		em.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, event := range openapi.Names() {
		for _, mode := range []string{"test", "live"} {
			assert.Equal(t, len(shapes), got[event+"/"+mode], "%s in %s mode reached its typed callback", event, mode)
		}
	}

	// The wrong token for the mode is refused, and not retried as a 5xx.
	em, err := mock.NewEmitter(mock.Config{Target: srv.URL(), Token: testToken, Mode: gen.ModeLive, CAFile: srv.CAFile()})
	require.NoError(t, err)
	defer em.Close()
	body, err := fake.Payload(openapi.MustLookup("user.created"), fake.Options{Seed: 9, Mode: gen.ModeLive})
	require.NoError(t, err)
	r := em.Send(ctx, openapi.MustLookup("user.created"), body)
	assert.False(t, r.OK())
	assert.Equal(t, 401, r.Status)
}
