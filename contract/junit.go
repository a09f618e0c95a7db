package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// JUnit XML, as CI systems read it (the schema that Jenkins, GitLab and
// GitHub test reporters share).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Classname string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitMessage `xml:"failure,omitempty"`
		Skipped   *junitMessage `xml:"skipped,omitempty"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
)

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// WriteJUnit writes the report as JUnit XML: one testsuite named suite, one
// testcase per case (classname "contract.<group>", name the case ID), with
// the requirement, want and got of each failure. Each diagnosis (see
// Report.Diagnose) is a property of the testsuite named "diagnosis", and a
// last line of the failures it explains. It errors only when w does.
func (r Report) WriteJUnit(w io.Writer, suite string) error {
	_, f, s := r.Count()
	js := junitSuite{
		Name: suite, Tests: len(r.Results), Failures: f, Skipped: s, Time: seconds(r.Duration),
		Properties: []junitProperty{{Name: "seed", Value: strconv.FormatUint(r.Seed, 10)}},
	}
	diags := r.Diagnose()
	for _, d := range diags {
		js.Properties = append(js.Properties, junitProperty{Name: "diagnosis", Value: d.Finding + ": " + d.Fix})
	}
	for _, res := range r.Results {
		group, _, _ := strings.Cut(res.Case.ID, "/")
		jc := junitCase{Classname: "contract." + group, Name: res.Case.ID, Time: seconds(res.Duration)}
		switch res.Outcome {
		case Fail:
			text := res.Explain()
			for _, d := range diags {
				if d.Explains(res.Case.ID) {
					text += "\ndiagnosis:   " + d.Finding + ": " + d.Fix
				}
			}
			jc.Failure = &junitMessage{Message: fmt.Sprintf("want %s, got %s", res.Want, res.Got), Text: text}
		case Skip:
			jc.Skipped = &junitMessage{Message: res.Reason}
		}
		js.Cases = append(js.Cases, jc)
	}
	doc := junitSuites{Tests: js.Tests, Failures: f, Skipped: s, Time: js.Time, Suites: []junitSuite{js}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
