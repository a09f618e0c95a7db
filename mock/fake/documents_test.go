package fake

// The generator on other documents than Userfront's: for each test
// document (openapi/testdata/providers and choices.yaml), every webhook's
// payloads validate against its own schema in every shape. The document is
// installed for the whole process (openapi.UseFile), so the test's top
// level is not parallel; its subtests, all on one document, are.

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// testDocuments are choices.yaml and the provider-like documents of
// openapi/testdata/providers.
func testDocuments(t *testing.T) []string {
	t.Helper()
	docs := []string{filepath.Join("..", "..", "openapi", "testdata", "choices", "choices.yaml")}
	providers, err := filepath.Glob(filepath.Join("..", "..", "openapi", "testdata", "providers", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, providers)
	return append(docs, providers...)
}

// useDocumentFile installs the document at path until the end of the test.
func useDocumentFile(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, openapi.UseFile(path))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// documentPayloads is how many seeds TestDocumentPayloadsValidate checks
// of each webhook in shape: documentSeeds realistic ones (200 with -short,
// since validating 10,000 payloads of each of the documents' webhooks takes
// about 90 s on a 2-core machine; `make test` runs them beside the race run,
// see the Makefile), and documentShaped of every other shape that applies
// (Varies), fewer of the heavy ones, whose payloads take long to validate.
func documentPayloads(shape Shape) int {
	switch shape {
	case Realistic:
		if testing.Short() {
			return min(documentSeeds, 200)
		}
		return documentSeeds
	case Large:
		return max(documentShaped/20, 1)
	case Huge:
		return max(documentShaped/100, 1)
	}
	return documentShaped
}

// TestDocumentPayloadsValidate: for each test document and each webhook,
// the payloads of seeds 1 to documentSeeds in the Realistic shape, and of
// fewer seeds in each other shape that applies, validate against the
// webhook's schema.
func TestDocumentPayloadsValidate(t *testing.T) {
	for _, doc := range testDocuments(t) {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			useDocumentFile(t, doc)
			t.Run("webhooks", func(t *testing.T) {
				for _, ev := range catalog(t) {
					for _, shape := range allShapes {
						varies, err := Varies(ev, shape)
						require.NoError(t, err, "%s/%s", ev.Name, shape)
						if !varies {
							continue
						}
						t.Run(ev.Name+"/"+shape.String(), func(t *testing.T) {
							t.Parallel()
							f := New(0)
							for seed := uint64(1); seed <= uint64(documentPayloads(shape)); seed++ {
								f.Reset(seed)
								body, err := f.Payload(ev, "", shape)
								require.NoError(t, err)
								if err := openapi.Validate(ev, body); err != nil {
									t.Fatalf("seed %d, shape %s: %v\n%s", seed, shape, err, body)
								}
							}
						})
					}
				}
			})
		})
	}
}
