package fake

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

func TestOverride(t *testing.T) {
	base := []byte(`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`)
	cases := []struct {
		name string
		sets []string
		want string
	}{
		{"string", []string{"record.email=a@b.co"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"a@b.co","data":{},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`},
		{"nested new key", []string{"record.data.plan=pro"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{"plan":"pro"},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`},
		{"deep new objects", []string{"record.data.billing.seats=3"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{"billing":{"seats":3}},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`},
		{"number, null, bool, object", []string{"record.userId=42", "record.email=null", "record.locked=true", `record.data={"a":[1,"b"]}`},
			`{"action":"create","model":"user","mode":"test","record":{"email":null,"data":{"a":[1,"b"]},"userId":42,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null,"locked":true}}`},
		{"array index", []string{"record.authentication.firstFactors.0.channel=sms"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{},"userId":1,"authentication":{"firstFactors":[{"channel":"sms","strategy":"link"}]},"phoneNumber":null}}`},
		{"quoted number stays a string", []string{`record.phoneNumber="+15555550123"`, `record.data.n="7"`},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{"n":"7"},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":"+15555550123"}}`},
		{"value with equals sign", []string{"record.data.q=a=b"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{"q":"a=b"},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`},
		{"null parent becomes an object", []string{"record.phoneNumber.x=1"},
			`{"action":"create","model":"user","mode":"test","record":{"email":"x@y.z","data":{},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":{"x":1}}}`},
		{"top level", []string{"mode=live"},
			`{"action":"create","model":"user","mode":"live","record":{"email":"x@y.z","data":{},"userId":1,"authentication":{"firstFactors":[{"channel":"email","strategy":"link"}]},"phoneNumber":null}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Override(base, tc.sets)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
			assert.Equal(t, tc.want, string(got), "key order is kept")
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	base := []byte(`{"record":{"email":"x@y.z","list":[1,2]}}`)
	cases := []struct {
		name string
		body []byte
		sets []string
	}{
		{"no equals", base, []string{"record.email"}},
		{"empty path", base, []string{"=x"}},
		{"empty segment", base, []string{"record..email=x"}},
		{"into a string", base, []string{"record.email.domain=x"}},
		{"index out of range", base, []string{"record.list.5=x"}},
		{"index not a number", base, []string{"record.list.x=1"}},
		{"body not JSON", []byte(`{"a":`), []string{"a=1"}},
		{"body not an object", []byte(`[1]`), []string{"a=1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Override(tc.body, tc.sets)
			require.ErrorIs(t, err, ErrBadOverride)
		})
	}
}

func TestOverrideThatBreaksTheSchemaIsCaught(t *testing.T) {
	body, err := Payload(openapi.MustLookup("user.created"), Options{Seed: 1})
	require.NoError(t, err)
	good, err := Override(body, []string{"record.email=a@b.co", "record.data.plan=pro"})
	require.NoError(t, err)
	require.NoError(t, openapi.Validate(openapi.MustLookup("user.created"), good))
	bad, err := Override(body, []string{"record.userId=abc"})
	require.NoError(t, err)
	var verr *openapi.ValidationError
	require.ErrorAs(t, openapi.Validate(openapi.MustLookup("user.created"), bad), &verr)
	assert.Equal(t, "/record/userId", verr.Problems[0].Path)
}

func TestOverrideWithoutSetsReturnsBody(t *testing.T) {
	body := []byte(`not even JSON`)
	got, err := Override(body, nil)
	require.NoError(t, err)
	assert.Equal(t, body, got)
}
