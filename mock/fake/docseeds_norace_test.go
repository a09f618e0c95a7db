//go:build !race

package fake

// How many payloads of each webhook of each test document
// TestDocumentPayloadsValidate checks (documents_test.go): 10,000 realistic
// ones (200 with -short), and 200 of each other shape.
const (
	documentSeeds  = 10_000
	documentShaped = 200
)
