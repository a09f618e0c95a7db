package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/nullable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// userSchema returns the record schema of the user events.
func userSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	ev, err := openapi.Lookup("user.created")
	require.NoError(t, err)
	schema, err := recordSchema(ev)
	require.NoError(t, err)
	return schema
}

// TestEncodeRecordWritesUserfrontTimes checks that timestamps keep exactly
// three fractional digits and end in Z, where time.Time's own JSON would
// drop trailing zeros or write an offset.
func TestEncodeRecordWritesUserfrontTimes(t *testing.T) {
	base := time.Date(2024, 5, 15, 23, 4, 50, 0, time.UTC)
	paris := time.FixedZone("CEST", 2*60*60)
	cases := []struct {
		name    string
		created time.Time
		want    string
	}{
		{"whole second", base, "2024-05-15T23:04:50.000Z"},
		{"trailing zero", base.Add(780 * time.Millisecond), "2024-05-15T23:04:50.780Z"},
		{"three digits", base.Add(787 * time.Millisecond), "2024-05-15T23:04:50.787Z"},
		{"below a millisecond is cut", base.Add(787*time.Millisecond + 999*time.Microsecond), "2024-05-15T23:04:50.787Z"},
		{"another zone", base.In(paris), "2024-05-15T23:04:50.000Z"},
	}
	schema := userSchema(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := newUser(string(gen.ModeLive), "demo1234", base)
			u.CreatedAt = tc.created
			u.UpdatedAt = &tc.created
			u.LastActiveAt = nullable.NewNullableWithValue(tc.created)
			u.LastMessagedAt = nullable.NewNullNullable[time.Time]()
			u.Name = "<b>"
			raw, err := encodeRecord(u, schema)
			require.NoError(t, err)
			var got map[string]any
			require.NoError(t, json.Unmarshal(raw, &got), "%s", raw)
			for _, k := range []string{"createdAt", "updatedAt", "lastActiveAt"} {
				assert.Equal(t, tc.want, got[k], k)
			}
			assert.Nil(t, got["lastMessagedAt"])
			assert.Contains(t, got, "lastMessagedAt", "an explicit null stays")
			assert.Contains(t, string(raw), `"name":"<b>"`, "the REST API does not escape HTML")
		})
	}
}

// TestWebhookRecordKeepsOrderAndBytes checks that dropping the REST-only
// properties leaves the others as they were.
func TestWebhookRecordKeepsOrderAndBytes(t *testing.T) {
	schema := userSchema(t)
	rest := json.RawMessage(`{"zeta":1,"lastActiveAt":null,"tenant":{"tenantId":"demo1234"},"data":{"b":1,"a":12345678901234567890},"updatedAt":"2024-05-15T23:04:50.000Z","alpha":"x"}`)
	got, err := webhookRecord(rest, schema)
	require.NoError(t, err)
	assert.Equal(t, `{"zeta":1,"data":{"b":1,"a":12345678901234567890},"alpha":"x"}`, string(got))

	_, err = webhookRecord(json.RawMessage(`[1]`), schema)
	assert.Error(t, err, "a record must be an object")
}

// TestDataKeepsExactNumbers checks that free-form data written through the
// API keeps numbers that a float64 would round, through the database and
// back.
func TestDataKeepsExactNumbers(t *testing.T) {
	p, err := decodePatch([]byte(`{"data":{"id":12345678901234567890,"ratio":0.1000000000000000055511151231257827}}`), userWritable, "user")
	require.NoError(t, err)
	u := newUser(string(gen.ModeTest), "demo1234", time.Now())
	require.NoError(t, p.applyUser(&u))
	stored, err := json.Marshal(u)
	require.NoError(t, err)
	var back gen.User
	require.NoError(t, decodeJSON(stored, &back))
	raw, err := encodeRecord(back, userSchema(t))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"data":{"id":12345678901234567890,"ratio":0.1000000000000000055511151231257827}`)
}

// TestRewriteObject checks the object scanner that webhookRecord and
// encodeRecord use on well-formed and broken JSON.
func TestRewriteObject(t *testing.T) {
	drop := func(key []byte, v json.RawMessage) (json.RawMessage, error) {
		if k := string(key); k == "drop" || k == "a\"b" {
			return nil, nil
		}
		return v, nil
	}
	cases := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"empty", `{}`, `{}`, false},
		{"empty with space", ` { } `, `{}`, false},
		{"drops and keeps order", `{"z":1,"drop":2,"a":3}`, `{"z":1,"a":3}`, false},
		{"drops the last", `{"z":1,"drop":2}`, `{"z":1}`, false},
		{"drops all", `{"drop":{"x":[1,{"y":"}"}]}}`, `{}`, false},
		{"every kind of value", `{"s":"a,}\"]","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":[1,"]",{}]},"a":[]}`,
			`{"s":"a,}\"]","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":[1,"]",{}]},"a":[]}`, false},
		{"whitespace", "{\n \"k\" : [ 1 , 2 ] ,\t\"drop\":null\r\n}", `{"k":[ 1 , 2 ]}`, false},
		{"escaped key", `{"a\"b":1,"c\u0064":2}`, `{"c\u0064":2}`, false},
		{"not an object", `[1]`, "", true},
		{"nothing", ``, "", true},
		{"unterminated", `{"k":1`, "", true},
		{"unterminated string", `{"k":"ab`, "", true},
		{"unterminated key", `{"k`, "", true},
		{"unbalanced", `{"k":{"x":1}`, "", true},
		{"no colon", `{"k" 1}`, "", true},
		{"no value", `{"k":}`, "", true},
		{"trailing comma", `{"k":1,}`, "", true},
		{"garbage after", `{"k":1}x`, "", true},
		{"bare key", `{k:1}`, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewriteObject(json.RawMessage(tc.in), drop)
			if tc.wantErr {
				assert.ErrorIs(t, err, errRecordJSON)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestLabel(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"user with an email", `{"action":"create","model":"user","mode":"test","record":{"userId":7,"email":"sam@example.com","username":"sam","name":"Sam"}}`, "#7 sam@example.com"},
		{"user with a username", `{"model":"user","record":{"userId":8,"email":null,"username":"sam","name":"Sam"}}`, "#8 sam"},
		{"user with a name only", `{"model":"user","record":{"userId":9,"email":"","username":null,"name":"Sam \"S\" Lee"}}`, `#9 Sam "S" Lee`},
		{"user without an id", `{"model":"user","record":{"userId":null,"name":"Sam"}}`, "Sam"},
		{"record before model", `{"record":{"tenantId":"demo1234","name":"Acme"},"model":"tenant"}`, "Acme (demo1234)"},
		{"nested keys do not count", `{"model":"user","record":{"data":{"email":"x@example.com"},"name":"Sam"}}`, "Sam"},
		{"login link by email", `{"action":"login","model":"user","mode":"test","factor":{"strategy":"link","channel":"email","email":"jane@example.com","url":"https://x"}}`, "jane@example.com"},
		{"code by SMS", `{"action":"login","model":"user","mode":"live","factor":{"strategy":"verificationCode","channel":"sms","phoneNumber":"+15555550123"}}`, "+15555550123"},
		{"a value that is no object does not count", `{"model":"user","mode":"test","name":"envelope","record":{"name":"Sam"}}`, "Sam"},
		{"not JSON", `nope`, ""},
		{"not an object", `[{"model":"user"}]`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, label([]byte(tc.body)))
		})
	}
}
