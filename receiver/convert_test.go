package receiver

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// sameAsStdlib checks the fast path against encoding/json on one body:
// parseJSON must give openapi.DecodeJSON's value and accept nothing that it
// refuses, and toTyped, when it succeeds, must give json.Unmarshal's value.
func sameAsStdlib(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := openapi.DecodeJSON(body)
	got, plain, ok := parseJSON(body)
	if !ok {
		return
	}
	if wantErr != nil {
		t.Fatalf("parseJSON accepts %q, which encoding/json refuses: %v", body, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseJSON(%q) = %#v, encoding/json gives %#v", body, got, want)
	}
	if !plain {
		return
	}
	for _, typ := range eventTypes {
		tree, _, _ := parseJSON(body) // toTyped may change its input
		fast := reflect.New(typ)
		if !toTyped(fast.Elem(), tree) {
			continue
		}
		slow := reflect.New(typ)
		if err := json.Unmarshal(body, slow.Interface()); err != nil {
			t.Fatalf("toTyped accepts %q as %s, which encoding/json refuses: %v", body, typ, err)
		}
		if !reflect.DeepEqual(fast.Interface(), slow.Interface()) {
			t.Fatalf("toTyped(%q) as %s = %#v, encoding/json gives %#v", body, typ, fast.Interface(), slow.Interface())
		}
	}
}

var fastPathSeeds = []string{
	``, ` `, `{`, `}`, `null`, `true`, `false`, `nul`, `0`, `-0`, `01`, `1.`, `1.5e`, `-`, `1e400`, `"x"`,
	`"\u00e9\ud83d\ude00"`, `"\ud800"`, `"a\/b"`, "\"\xff\"", "\"\x01\"", `[]`, `[1,]`, `{"a":1,}`, `{"a" 1}`,
	`{"a":1,"a":2}`, `[[[[[]]]]]`, `{} x`, " {\"a\":[1,2.5,-3e2,true,false,null,\"s\"]}\n",
	`{"action":"create","model":"user","mode":"test","record":{"userId":1,"USERID":2}}`,
	`{"action":"create","model":"user","mode":"test","record":{"userId":1.0}}`,
	`{"action":"create","model":"user","mode":"test","record":{"userId":9223372036854775808}}`,
	`{"action":"create","model":"user","mode":"test","record":{"email":null,"phoneNumber":null,"createdAt":null}}`,
	`{"action":"create","model":"user","mode":"test","record":{"email":"not an email"}}`,
	`{"action":"create","model":"user","mode":"test","record":{"email":"A <a@b.co>"}}`,
	`{"action":"create","model":"user","mode":"test","record":{"uuid":"0d4c6d94-0c63-4b5b-9d3b-8c8e3b2f1a00","data":{"n":[1,{"x":2e3}],"big":1e400}}}`,
	`{"action":"create","model":"user","mode":"test","record":{"uuid":null,"data":null,"authorization":{"t":{"roles":["admin"]}},"authentication":null}}`,
	`{"action":"create","model":"user","mode":"test","record":{"createdAt":"2024-05-15T23:04:50.787Z","lastActiveAt":"2024-05-16T00:49:42.077+00:00"}}`,
	`{"action":"create","model":"user","mode":"test","record":{"createdAt":"2024-13-15T23:04:50Z"}}`,
	`{"action":"delete","model":"tenant","mode":"live","record":{"tenantId":"x","roles":[],"testTenantId":null}}`,
}

func TestFastPathSameAsStdlib(t *testing.T) {
	for _, s := range fastPathSeeds {
		sameAsStdlib(t, []byte(s))
	}
	for _, ev := range openapi.Names() {
		e, err := openapi.Lookup(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range e.Schema.Examples {
			b, err := json.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			sameAsStdlib(t, b)
			// The fast path must take the spec's examples, or it is no use.
			tree, plain, ok := parseJSON(b)
			if !ok || !plain || !toTyped(reflect.New(eventTypes[ev]).Elem(), tree) {
				t.Errorf("the fast path gives up on the %s example %s", ev, b)
			}
		}
	}
	var _ gen.UserCreatedEvent
}

// FuzzFastPath compares parseJSON and toTyped with encoding/json.
//
//	go test ./receiver -run '^$' -fuzz FuzzFastPath -fuzztime 1m
func FuzzFastPath(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { sameAsStdlib(t, body) })
}

// BenchmarkFastPath splits the receiver's decoding into its two steps, on
// the body of BenchmarkReceiver: parseJSON, and parseJSON then toTyped into
// the generated type.
func BenchmarkFastPath(b *testing.B) {
	ex, err := openapi.Lookup("user.created")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(ex.Schema.Examples[0])
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	r := m["record"].(map[string]any)
	r["lastActiveAt"] = "2024-05-16T00:49:42.077Z"
	r["lastMessagedAt"] = nil
	r["updatedAt"] = "2024-05-15T23:04:50.787+00:00"
	r["tenant"] = map[string]any{"tenantId": "mock1234", "aliasId": nil, "name": "Next", "image": nil, "loginRedirectPath": "/dashboard", "logoutRedirectPath": nil}
	r["authentication"] = map[string]any{"firstFactors": []any{}, "secondFactors": []any{}}
	body, _ := json.Marshal(m)
	b.Run("parseJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := parseJSON(body); !ok {
				b.Fatal("parseJSON gave up")
			}
		}
	})
	b.Run("parseJSON+toTyped", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tree, _, _ := parseJSON(body)
			var ev gen.UserCreatedEvent
			if !toTyped(reflect.ValueOf(&ev).Elem(), tree) {
				b.Fatal("toTyped gave up")
			}
		}
	})
}
