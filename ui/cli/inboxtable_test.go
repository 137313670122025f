package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Real platforms' ids may be UUIDs, and requesters have long names: the
// id stays whole (show and set-status take it), the words give way, the
// do-not-contact warning survives any cut, and a cut is marked with "…".
func TestWriteInboxCutsWordsNotIDsOrWarnings(t *testing.T) {
	id := "0b6c1a4e-8f3d-4c2a-9e7b-5d1f2a3c4b6e"
	rows := []inboxRow{{Task: id, Source: 12, Status: "requested", Priority: "routine",
		Person: "Maria Fernanda Gonzalez-Rodriguez de la Cruz", NoContact: true,
		Need: strings.Repeat("Housing instability — rental assistance ", 3), Requester: strings.Repeat("Dr Anita Patel ", 5),
		Received: "2026-11-02T10:00:00-05:00"}}
	var b strings.Builder
	if err := writeInbox(&b, rows, inboxWidth); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	row := lines[1]
	if n := utf8.RuneCountInString(row); n > inboxWidth {
		t.Errorf("the row is %d columns wide, more than %d:\n%s", n, inboxWidth, row)
	}
	if !strings.HasPrefix(row, id+"  ") || !strings.Contains(row, "… (DO NOT CONTACT)") || strings.Count(row, "…") != 3 ||
		!strings.Contains(row, "  2026-11-02") || strings.Contains(row, "T10:00") {
		t.Errorf("want the whole id, the person, need and requester cut with …, the warning whole and the date:\n%s", row)
	}
}
