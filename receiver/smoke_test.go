package receiver_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/receiver"
)

func TestSmoke(t *testing.T) {
	h, err := receiver.New(receiver.Options{Token: "example3c5cc4491eb422d48c8f78c2f"}, receiver.Callbacks{})
	require.NoError(t, err)
	for _, ev := range []string{"user.created", "user.updated", "user.deleted", "tenant.created", "tenant.updated", "tenant.deleted"} {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(example(t, ev, nil)))
		req.Header.Set("Authorization", bearer.Header("example3c5cc4491eb422d48c8f78c2f"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, 204, rec.Code, ev+" "+rec.Body.String())
	}
}
