package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

const internalToken = "internal0a1b2c3d4e5f60718293a4b5c6d"

// genTypeNames lists the types that package gen declares, read from its
// generated source, so that the test knows which schemas have a Go type.
func genTypeNames(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "gen", "*.gen.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no generated files in ../gen")
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range file.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
				for _, spec := range gd.Specs {
					names[spec.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
	}
	return names
}

// specExamples returns the examples of ev's request schema as JSON.
func specExamples(t *testing.T, ev openapi.Event) [][]byte {
	t.Helper()
	require.NotEmpty(t, ev.Schema.Examples, "the spec has no example for %s", ev.Name)
	var out [][]byte
	for _, ex := range ev.Schema.Examples {
		b, err := json.Marshal(ex)
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// TestBindingsMatchTheSpec checks the one table of event bindings against
// the spec's catalog, both ways: every event whose schema has a generated
// type is bound, to that type, and every bound event is in the spec.
func TestBindingsMatchTheSpec(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	table := bindings(&Callbacks{})
	genTypes := genTypeNames(t)
	require.True(t, genTypes["Mode"], "reading ../gen found no types, so this test checks nothing")

	spec := map[string]openapi.Event{}
	for _, ev := range evs {
		spec[ev.Name] = ev
		if genTypes[ev.SchemaName] {
			assert.Contains(t, table, ev.Name, "gen has the type %s for %s but receiver binds nothing to it: add a line to bindings in receiver/events.go", ev.SchemaName, ev.Name)
		}
	}
	for name, b := range table {
		ev, ok := spec[name]
		if !assert.True(t, ok, "bindings binds %s, which the spec's catalog does not have", name) {
			continue
		}
		assert.Equal(t, ev.SchemaName, b.typ.Name(), "%s is bound to the wrong type", name)
		assert.Equal(t, reflect.TypeFor[gen.Mode]().PkgPath(), b.typ.PkgPath(), "%s is bound to a type outside package gen", name)
		assert.True(t, genTypes[b.typ.Name()], name)
	}
}

// TestBoundTypesRoundTripTheExamples decodes every example of the spec into
// its event's bound type, so that the types, the schema and the examples
// cannot drift apart, and checks the head that the handler reads of it.
func TestBoundTypesRoundTripTheExamples(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	table := bindings(&Callbacks{})
	for _, ev := range evs {
		b, ok := table[ev.Name]
		if !ok {
			continue // TestBindingsMatchTheSpec says whether it should be bound
		}
		for i, body := range specExamples(t, ev) {
			typed := reflect.New(b.typ)
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields() // every example field has a Go field
			require.NoError(t, dec.Decode(typed.Interface()), "%s example %d", ev.Name, i)
			again, err := json.Marshal(typed.Interface())
			require.NoError(t, err)
			assert.JSONEq(t, string(body), string(again), "%s example %d", ev.Name, i)

			idx := headIndexOf(b.typ, ev)
			assert.True(t, idx.complete, "%s: every identifying property %v has a Go field that the head can read", ev.Name, ev.Identity())
			d, err := b.decode(body, idx)
			require.NoError(t, err)
			var env struct{ Mode gen.Mode }
			require.NoError(t, json.Unmarshal(body, &env))
			assert.Equal(t, head{action: ev.Action, model: ev.Model, mode: env.Mode, recordID: d.recordID, identified: true}, d.head, ev.Name)
			if len(ev.Identity()) > 0 {
				assert.NotContains(t, []string{"", "0"}, d.recordID, "%s: no record id read from the example", ev.Name)
			} else {
				assert.Empty(t, d.recordID, "%s identifies no record, and so has no record id", ev.Name)
			}
			v, err := openapi.DecodeJSON(body)
			require.NoError(t, err)
			id, problems := ev.Identify(v)
			require.Empty(t, problems)
			assert.Equal(t, id, d.recordID, "%s: the identity read from the type and from the generic form must be the same", ev.Name)
		}
	}
}

// TestHandleMethodsServeTheirEvent checks every method of
// gen.WebhookReceiverInterface: it accepts exactly one event of the catalog,
// the one it is named after.
func TestHandleMethodsServeTheirEvent(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	h, err := New(Options{Token: internalToken}, Callbacks{})
	require.NoError(t, err)
	iface := reflect.TypeFor[gen.WebhookReceiverInterface]()
	require.Positive(t, iface.NumMethod())
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		handle := reflect.ValueOf(h).MethodByName(name).Interface().(func(http.ResponseWriter, *http.Request))
		var accepted []string
		for _, ev := range evs {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(specExamples(t, ev)[0]))
			req.Header.Set("Authorization", bearer.Header(internalToken))
			rec := httptest.NewRecorder()
			handle(rec, req)
			if rec.Code == http.StatusNoContent {
				accepted = append(accepted, ev.OperationID)
			} else {
				assert.Equal(t, http.StatusBadRequest, rec.Code, "%s with %s: %s", name, ev.Name, rec.Body)
			}
		}
		if assert.Len(t, accepted, 1, name) {
			op := accepted[0]
			assert.Equal(t, name, "Handle"+strings.ToUpper(op[:1])+op[1:]+"Webhook")
		}
	}
}

// TestEventWithoutAGoType serves an event of the spec that has no binding,
// as a webhook added to the spec before gen has a type for it: New does
// not fail, and the event is validated, then handed to OnEvent. The table
// leaves tenant.deleted out to stand for that event.
func TestEventWithoutAGoType(t *testing.T) {
	const unbound = "tenant.deleted"
	ev, err := openapi.Lookup(unbound)
	require.NoError(t, err)
	valid := specExamples(t, ev)[0]
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(valid, &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	badMode := mutate(func(m map[string]any) { m["mode"] = "staging" })
	badRecord := mutate(func(m map[string]any) { m["record"].(map[string]any)["tenantId"] = 7 })
	noRecord := mutate(func(m map[string]any) { delete(m, "record") })
	badName := mutate(func(m map[string]any) { m["record"].(map[string]any)["name"] = 5 })
	errDown := errors.New("queue is down")

	cases := []struct {
		name         string
		skip         bool // Options.SkipValidation
		strict       bool // Options.Strict
		body         []byte
		onEvent      error // what OnEvent returns; nil OnEvent when noOnEvent
		noOnEvent    bool
		want         int
		wantErr      error
		wantCalls    int
		wantWarnings bool
	}{
		{"valid", false, false, valid, nil, false, 204, nil, 1, false},
		{"valid without OnEvent", false, false, valid, nil, true, 204, nil, 0, false},
		{"OnEvent fails", false, false, valid, errDown, false, 500, ErrCallback, 1, false},
		{"mode breaks the schema", false, false, badMode, nil, false, 400, ErrInvalidPayload, 0, false},
		{"record's id of the wrong type", false, false, badRecord, nil, false, 400, ErrUnidentified, 0, false},
		{"no record", false, false, noRecord, nil, false, 400, ErrUnidentified, 0, false},
		{"record breaks the schema elsewhere: a warning", false, false, badName, nil, false, 204, nil, 1, true},
		{"strict: record breaks the schema elsewhere", false, true, badName, nil, false, 400, ErrInvalidPayload, 0, false},
		{"lax: valid", true, false, valid, nil, false, 204, nil, 1, false},
		{"lax: mode is checked", true, false, badMode, nil, false, 400, ErrInvalidPayload, 0, false},
		{"lax: the record's identity is asked of an event without a type too, from the spec", true, false, noRecord, nil, false, 400, ErrUnidentified, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []json.RawMessage
			var gotEvent openapi.Event
			var gotWarnings []openapi.Problem
			typed := 0
			var d Delivery
			cb := Callbacks{
				OnTenantDeleted: func(context.Context, gen.TenantDeletedEvent) error { typed++; return nil },
				OnDelivery:      func(dl Delivery) { d = dl },
			}
			if !tc.noOnEvent {
				cb.OnEvent = func(ctx context.Context, ev openapi.Event, body json.RawMessage) error {
					mu.Lock()
					defer mu.Unlock()
					got, gotEvent = append(got, body), ev
					gotWarnings = Warnings(ctx)
					return tc.onEvent
				}
			}
			h, err := newHandler(Options{Token: internalToken, SkipValidation: tc.skip, Strict: tc.strict}, cb, func(cb *Callbacks) map[string]binding {
				m := bindings(cb)
				delete(m, unbound)
				return m
			})
			require.NoError(t, err, "an event without a Go type must not make New fail")
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(tc.body))
			req.Header.Set("Authorization", bearer.Header(internalToken))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
			assert.Zero(t, typed, "the typed callback of an unbound event must not run")
			assert.Equal(t, unbound, d.Event)
			require.Len(t, got, tc.wantCalls)
			if tc.wantErr != nil {
				assert.ErrorIs(t, d.Err, tc.wantErr)
			} else {
				assert.NoError(t, d.Err)
			}
			if tc.wantCalls > 0 {
				assert.Equal(t, ev.Name, gotEvent.Name)
				assert.Equal(t, ev.SchemaName, gotEvent.SchemaName)
				assert.Equal(t, string(tc.body), string(got[0]), "OnEvent gets the body as sent")
				assert.Equal(t, d.Warnings, gotWarnings, "OnEvent sees the delivery's warnings")
			}
			if tc.wantWarnings {
				require.Len(t, d.Warnings, 1)
				assert.Equal(t, "/record/name", d.Warnings[0].Path)
				assert.Equal(t, "p9ny8bdj", d.RecordID)
			} else {
				assert.Empty(t, d.Warnings)
			}
			if bytes.Equal(tc.body, valid) && tc.want != 400 {
				assert.Equal(t, "p9ny8bdj", d.RecordID)
				assert.Equal(t, gen.ModeTest, d.Mode)
			}
		})
	}
}
