package contract

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteJUnit(t *testing.T) {
	skipWithTarget(t)
	c := func(id string) Case { return Case{ID: id, Sends: "s", Requirement: "r <&> " + id} }
	rep := Report{Seed: 9, Duration: 1500 * time.Millisecond, Results: []Result{
		{Case: c("auth/wrong-token"), Outcome: Fail, Want: "401 or 403", Got: `200 OK, body: {"ok":"<yes>"}`, Duration: 12 * time.Millisecond},
		{Case: c("https/live-https"), Outcome: Skip, Reason: "test mode"},
		{Case: c("events/user.created/full"), Outcome: Pass, Got: "204"},
	}}
	var buf bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&buf, "ufhook contract"))
	require.True(t, strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`))

	var doc junitSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
	assert.Equal(t, 3, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Skipped)
	assert.Equal(t, "1.500", doc.Time)
	require.Len(t, doc.Suites, 1)
	s := doc.Suites[0]
	assert.Equal(t, "ufhook contract", s.Name)
	assert.Equal(t, []junitProperty{{Name: "seed", Value: "9"}}, s.Properties)
	require.Len(t, s.Cases, 3)
	assert.Equal(t, "contract.auth", s.Cases[0].Classname)
	assert.Equal(t, "auth/wrong-token", s.Cases[0].Name)
	assert.Equal(t, "0.012", s.Cases[0].Time)
	require.NotNil(t, s.Cases[0].Failure)
	assert.Equal(t, `want 401 or 403, got 200 OK, body: {"ok":"<yes>"}`, s.Cases[0].Failure.Message)
	assert.Contains(t, s.Cases[0].Failure.Text, "requirement: r <&> auth/wrong-token")
	require.NotNil(t, s.Cases[1].Skipped)
	assert.Equal(t, "test mode", s.Cases[1].Skipped.Message)
	assert.Nil(t, s.Cases[2].Failure)
	assert.Nil(t, s.Cases[2].Skipped)
}

// TestWriteJUnitDiagnosis checks that the diagnosis reaches the JUnit
// report: a property of the testsuite, and a line of each failure it
// explains.
func TestWriteJUnitDiagnosis(t *testing.T) {
	skipWithTarget(t)
	rep := passingReport()
	answers(delivering, Fail, 401, false)(&rep)
	answers(func(c Case) bool { return c.ID == idNoScheme }, Fail, 204, false)(&rep)
	answers(func(c Case) bool { return c.ID == "auth/wrong-token" }, Fail, 204, false)(&rep)
	diags := rep.Diagnose()
	require.Len(t, diags, 1)

	var buf bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&buf, "ufhook contract"))
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
	require.Len(t, doc.Suites, 1)
	assert.Contains(t, doc.Suites[0].Properties, junitProperty{Name: "diagnosis", Value: diags[0].Finding + ": " + diags[0].Fix})
	line := "diagnosis:   " + diags[0].Finding + ": " + diags[0].Fix
	failures := 0
	for _, c := range doc.Suites[0].Cases {
		if c.Failure == nil {
			continue
		}
		failures++
		if c.Name == "auth/wrong-token" {
			assert.NotContains(t, c.Failure.Text, "diagnosis:", "a failure the diagnosis does not explain")
		} else {
			assert.Contains(t, c.Failure.Text, line, c.Name)
		}
	}
	assert.Equal(t, len(diags[0].Cases)+1, failures)
}
