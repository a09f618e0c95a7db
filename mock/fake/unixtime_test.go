package fake_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// TestUnixTimesAreRecent: an integer of format unixtime is a time of the
// last few years, within the schema's own bounds when it has some, and a
// string whose pattern is a date's is a real date.
func TestUnixTimesAreRecent(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	require.NoError(t, openapi.Use([]byte(`openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  thing.done:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [created, floor, narrow, version]
              properties:
                created: {type: integer, format: unixtime}
                floor: {type: integer, format: unixtime, minimum: 0}
                narrow: {type: integer, format: unixtime, minimum: 10, maximum: 20}
                version: {type: string, pattern: '^\d{4}-\d{2}-\d{2}$'}
      responses: {'200': {description: ok}}
`)))
	ev := openapi.MustLookup("thing.done")
	for seed := uint64(1); seed <= 200; seed++ {
		body, err := fake.Payload(ev, fake.Options{Seed: seed, Shape: fake.Full})
		require.NoError(t, err)
		var v struct {
			Created, Floor, Narrow int64
			Version                string
		}
		require.NoError(t, json.Unmarshal(body, &v))
		for _, ts := range []int64{v.Created, v.Floor} {
			assert.GreaterOrEqual(t, ts, int64(1_700_000_000))
			assert.LessOrEqual(t, ts, int64(1_790_000_000))
		}
		assert.GreaterOrEqual(t, v.Narrow, int64(10))
		assert.LessOrEqual(t, v.Narrow, int64(20))
		_, err = time.Parse(time.DateOnly, v.Version)
		assert.NoError(t, err, v.Version)
	}
}
