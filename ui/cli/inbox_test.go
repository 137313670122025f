package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// inboxCells splits an inbox table into its cells by where the header's
// titles start (the table pads each column to one width).
func inboxCells(t *testing.T, table string) (titles []string, rows [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	head := []rune(lines[0])
	var starts []int
	for i, r := range head {
		if r != ' ' && (i == 0 || head[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	for _, line := range lines {
		rs := []rune(line)
		var cells []string
		for k, s := range starts {
			end := len(rs)
			if k+1 < len(starts) {
				end = min(starts[k+1], len(rs))
			}
			cells = append(cells, strings.TrimSpace(string(rs[min(s, len(rs)):end])))
		}
		rows = append(rows, cells)
	}
	return rows[0], rows[1:]
}

// The inbox fits a terminal of 120 columns: the words are cut short with
// "…", while the referral's id, its status, a do-not-contact warning and
// the person's name stay whole; --wide prints every cell whole.
func TestInboxFitsATerminalAndWideShowsAll(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 30})
	env := connected(t, p)
	_, out, _ := run(t, env, "inbox", "--json")
	var want []struct{ Task, Status, Person, Need, Requester, Received string }
	if err := json.Unmarshal([]byte(out), &want); err != nil || len(want) == 0 {
		t.Fatalf("inbox --json: %v\n%s", err, out)
	}
	code, narrow, errOut := run(t, env, "inbox")
	if code != 0 {
		t.Fatalf("inbox: exit %d, err %q", code, errOut)
	}
	for _, line := range strings.Split(strings.TrimSuffix(narrow, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 120 {
			t.Errorf("an inbox line is %d columns wide, more than 120:\n%s", n, line)
		}
	}
	titles, rows := inboxCells(t, narrow)
	if strings.Join(titles, " ") != "TASK SOURCE STATUS PRIORITY PERSON NEED REQUESTER RECEIVED" || len(rows) != len(want) {
		t.Fatalf("inbox: columns %q and %d rows; want the eight columns and %d rows:\n%s", titles, len(rows), len(want), narrow)
	}
	cut, noContact := 0, 0
	for i, w := range want {
		r := rows[i]
		person := strings.TrimSuffix(r[4], " (DO NOT CONTACT)")
		if person != r[4] {
			noContact++
		}
		if r[0] != w.Task || r[2] != w.Status || person != w.Person || r[7] != w.Received[:10] {
			t.Errorf("row %d shows %q; want task, status, person and date whole: %q %q %q %q", i, r, w.Task, w.Status, w.Person, w.Received[:10])
		}
		for k, whole := range map[int]string{5: w.Need, 6: w.Requester} {
			if r[k] != whole {
				cut++
				if !strings.HasSuffix(r[k], "…") || !strings.HasPrefix(whole, strings.TrimSuffix(r[k], "…")) {
					t.Errorf("row %d %s: %q is neither %q nor its start cut with …", i, titles[k], r[k], whole)
				}
			}
		}
	}
	if cut == 0 || noContact == 0 {
		t.Fatalf("the demo referrals gave %d cut cells and %d do-not-contact rows: the test proves nothing", cut, noContact)
	}

	code, wide, _ := run(t, env, "inbox", "--wide")
	if _, rows = inboxCells(t, wide); code != 0 || len(rows) != len(want) {
		t.Fatalf("inbox --wide: exit %d, %d rows, want %d", code, len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r[5] != w.Need || r[6] != w.Requester || r[7] != w.Received {
			t.Errorf("inbox --wide row %d: %q; want the need %q, requester %q and time %q whole", i, r, w.Need, w.Requester, w.Received)
		}
	}
	if strings.Contains(wide, "…") {
		t.Errorf("inbox --wide cut something short:\n%s", wide)
	}
}
