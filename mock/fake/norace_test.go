//go:build !race

package fake

// payloadsPerShape is how many payloads of each event, in each shape,
// TestPayloadsValidate checks: 10,000 (300,000 payloads in all), about 9 s
// on a 2-core machine.
const payloadsPerShape = 10_000
