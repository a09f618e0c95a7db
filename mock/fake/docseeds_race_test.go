//go:build race

package fake

// How many payloads of each webhook of each test document
// TestDocumentPayloadsValidate checks under the race detector, which slows
// validation about sevenfold (see race_test.go): 100 realistic ones and 10
// of each other shape, all among those that the run without it checks
// (`make test` runs both).
const (
	documentSeeds  = 100
	documentShaped = 10
)
