package receiver_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
	"github.com/ufhook/ufhook/receiver"
)

// TestMockPayloads checks that every payload the emitter can make is
// accepted: each event, mode and shape, over many seeds.
func TestMockPayloads(t *testing.T) {
	h, err := receiver.New(receiver.Options{Token: liveToken}, receiver.Callbacks{})
	require.NoError(t, err)
	for _, event := range openapi.Names() {
		for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
			for _, shape := range []fake.Shape{fake.Realistic, fake.Full, fake.Sparse, fake.WithUnknownFields} {
				t.Run(fmt.Sprintf("%s/%s/%d", event, mode, shape), func(t *testing.T) {
					for seed := uint64(1); seed <= 20; seed++ {
						body, err := fake.Payload(openapi.MustLookup(event), fake.Options{Seed: seed, Mode: mode, Shape: shape})
						require.NoError(t, err)
						status, resp := serveOnce(h, body)
						require.Equal(t, 204, status, "seed %d: %s\n%s", seed, resp, body)
					}
				})
			}
		}
	}
}
