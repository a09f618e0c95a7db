package contract

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

// readmeCaseTable is the header of the README's table of cases.
const readmeCaseTable = "| case | sends | requirement |"

// readmeCaseIDs returns the case ID patterns of the README's table of cases,
// in its order: the first cell of each row, without its backquotes.
func readmeCaseIDs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var ids []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == readmeCaseTable:
			require.False(t, in, "%s has the case table twice", path)
			in = true
		case !in:
		case strings.HasPrefix(line, "|---"):
		case strings.HasPrefix(line, "|"):
			cells := strings.Split(line, "|")
			require.GreaterOrEqual(t, len(cells), 4, "a row of the case table has three cells: %s", line)
			ids = append(ids, strings.Trim(strings.TrimSpace(cells[1]), "`"))
		default:
			return ids // the table ends at the first line that is not a row
		}
	}
	require.NoError(t, sc.Err())
	return ids
}

// TestREADMECaseTable checks the README's table of cases against Cases():
// every row names cases that exist, and every case has a row, in the order
// of Cases(). A row events/<event>/... stands for that case of every event.
// Adding a case means adding its row, and this test says which is missing.
func TestREADMECaseTable(t *testing.T) {
	skipWithTarget(t)
	rows := readmeCaseIDs(t, "../README.md")
	require.NotEmpty(t, rows, "README.md has no table that starts with %q", readmeCaseTable)
	evs, err := openapi.Events()
	require.NoError(t, err)

	// Expand the rows in the order of Cases(): the events rows, which
	// stand for one case per event, are taken event by event.
	var fromREADME []string
	for i := 0; i < len(rows); i++ {
		if !strings.Contains(rows[i], "<event>") {
			fromREADME = append(fromREADME, rows[i])
			continue
		}
		j := i
		for j < len(rows) && strings.Contains(rows[j], "<event>") {
			j++
		}
		for _, ev := range evs {
			for _, row := range rows[i:j] {
				// A variety shape that finds nothing to vary in an event
				// (deep in a messaging webhook) makes no case of it.
				v := variantOf(row[strings.LastIndexByte(row, '/')+1:])
				if varies, err := fake.Varies(ev, v.shape); v.shape >= fake.Unicode && err == nil && !varies {
					continue
				}
				fromREADME = append(fromREADME, strings.ReplaceAll(row, "<event>", ev.Name))
			}
		}
		i = j - 1
	}

	var fromCases []string
	for _, c := range Cases() {
		fromCases = append(fromCases, c.ID)
	}
	for _, id := range fromREADME {
		if !slices.Contains(fromCases, id) {
			t.Errorf("README.md's case table has a row for %s, which is not a case of Cases(): fix or remove the row", id)
		}
	}
	for _, id := range fromCases {
		if !slices.Contains(fromREADME, id) {
			t.Errorf("case %s has no row in README.md's case table: add one under %q", id, readmeCaseTable)
		}
	}
	if !t.Failed() && !slices.Equal(fromREADME, fromCases) {
		t.Errorf("README.md's case table lists the cases in another order than Cases(): put the rows in this order:\n%s", strings.Join(fromCases, "\n"))
	}
}
