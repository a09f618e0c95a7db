package mock

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

func TestRoutesFlag(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		want    Routes
		wantErr []error
		wantMsg string
	}{
		{"one", []string{"user.created=https://a.example/u"}, Routes{"user.created": "https://a.example/u"}, nil, ""},
		{"two, plain HTTP allowed", []string{"user.created=https://a.example/u", "tenant.deleted=http://b.example/t?x=1"},
			Routes{"user.created": "https://a.example/u", "tenant.deleted": "http://b.example/t?x=1"}, nil, ""},
		{"a URL with an equals sign", []string{"user.created=https://a.example/u?k=v"}, Routes{"user.created": "https://a.example/u?k=v"}, nil, ""},
		{"no equals sign", []string{"user.created"}, nil, []error{ErrBadRoute}, "write EVENT=URL"},
		{"empty URL", []string{"user.created="}, nil, []error{ErrBadRoute}, "write EVENT=URL"},
		{"empty event", []string{"=https://a.example/"}, nil, []error{ErrBadRoute}, "write EVENT=URL"},
		{"bad URL", []string{"user.created=a.example"}, nil, []error{ErrBadRoute, ErrBadTarget}, "not an http:// or https:// URL"},
		{"credentials", []string{"user.created=https://u:secret@a.example/"}, nil, []error{ErrBadRoute, ErrBadTarget}, "Authorization header"},
		{"twice", []string{"user.created=https://a.example/1", "user.created=https://a.example/2"}, nil, []error{ErrBadRoute}, "already goes to https://a.example/1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Routes
			var err error
			for _, v := range tc.values {
				if err = r.Set(v); err != nil {
					break
				}
			}
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, r)
				assert.NoError(t, r.Check())
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.ErrorIs(t, err, want)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotContains(t, err.Error(), "secret")
		})
	}
	r := Routes{"user.created": "https://a/1", "tenant.deleted": "https://b/2"}
	assert.Equal(t, "tenant.deleted=https://b/2,user.created=https://a/1", r.String())
	assert.Equal(t, "EVENT=URL", r.Type())
	var none *Routes
	assert.Equal(t, "", none.String())
}

func TestRoutesCheck(t *testing.T) {
	tests := []struct {
		name    string
		routes  Routes
		wantErr []error
		wantMsg string
	}{
		{"none", nil, nil, ""},
		{"good", Routes{"user.created": "https://a/1", "tenant.deleted": "http://b/2"}, nil, ""},
		{"unknown event", Routes{"user.archived": "https://a/1"}, []error{ErrBadRoute, openapi.ErrUnknownEvent}, "user.archived"},
		{"bad URL", Routes{"user.created": "nope"}, []error{ErrBadRoute, ErrBadTarget}, "bad route for user.created"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.routes.Check()
			if tc.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			for _, want := range tc.wantErr {
				assert.ErrorIs(t, err, want)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}
