package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// inboxWidth is how many columns the inbox table fits by default: a common
// terminal's width. `inbox --wide` prints every cell whole.
const inboxWidth = 120

// inboxGap is the space between two columns.
const inboxGap = "  "

// cell is one cell of the inbox table: text, which may be shortened to fit,
// and a mark after it that never is (a do-not-contact warning must not be
// cut off to make room).
type cell struct{ text, mark string }

func (c cell) width() int { return utf8.RuneCountInString(c.text) + utf8.RuneCountInString(c.mark) }

// inboxColumns are the table's titles.
var inboxColumns = []string{"TASK", "SOURCE", "STATUS", "PRIORITY", "PERSON", "NEED", "REQUESTER", "RECEIVED"}

// The columns that give up width when the table is too wide: the words.
// Never the referral's id (which show and set-status take), its platform,
// status, priority or date.
const (
	colPerson    = 4
	colNeed      = 5
	colRequester = 6
)

// shrinkStages say, in turn, which columns give width and how narrow each
// gets in that stage, the widest first: the need and the requester down to
// a readable width, then further, and only then the person's name. A floor
// of 0 is the narrowest a cell can be: its mark and a few letters with "…".
var shrinkStages = []map[int]int{
	{colNeed: 24, colRequester: 20},
	{colNeed: 0, colRequester: 0},
	{colPerson: 0},
}

// minShrunk is how many letters, with "…", a shortened cell keeps at least.
const minShrunk = 6

// writeInbox prints rows as a table at most width columns wide (0: as wide
// as the cells are), shortening the widest words first, each cut marked
// with "…". At width 0 a referral's received time is the platform's whole
// dateTime; else its date.
func writeInbox(out io.Writer, rows []inboxRow, width int) error {
	table := make([][]cell, 0, len(rows)+1)
	head := make([]cell, len(inboxColumns))
	for i, title := range inboxColumns {
		head[i] = cell{text: title}
	}
	table = append(table, head)
	for _, r := range rows {
		status, received, person := cell{text: r.Status}, r.Received, cell{text: r.Person}
		if r.Pending {
			status.mark = " (sending)"
		}
		if r.NoContact {
			person.mark = " (DO NOT CONTACT)"
		}
		if width > 0 && len(received) > len("2006-01-02") && received[10] == 'T' {
			received = received[:10]
		}
		table = append(table, []cell{{text: r.Task}, {text: fmt.Sprint(r.Source)}, status, {text: r.Priority},
			person, {text: r.Need}, {text: r.Requester}, {text: received}})
	}
	widths := columnWidths(table, width)
	var b strings.Builder
	for _, row := range table {
		b.Reset()
		for i, c := range row {
			if i > 0 {
				b.WriteString(inboxGap)
			}
			s := fitCell(c, widths[i])
			b.WriteString(s)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(out, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// columnWidths is each column's width: its widest cell, narrowed by
// shrinkStages while the table is wider than width (0: no limit).
func columnWidths(table [][]cell, width int) []int {
	widths := make([]int, len(inboxColumns))
	least := make([]int, len(inboxColumns))
	for _, row := range table {
		for i, c := range row {
			widths[i] = max(widths[i], c.width())
			least[i] = max(least[i], utf8.RuneCountInString(c.mark)+minShrunk)
		}
	}
	if width <= 0 {
		return widths
	}
	over := len(inboxGap)*(len(widths)-1) - width
	for _, w := range widths {
		over += w
	}
	for _, stage := range shrinkStages {
		for ; over > 0; over-- {
			widest := -1
			for i, floor := range stage {
				if widths[i] > max(floor, least[i]) && (widest < 0 || widths[i] > widths[widest] || (widths[i] == widths[widest] && i < widest)) {
					widest = i
				}
			}
			if widest < 0 {
				break // this stage has given what it can
			}
			widths[widest]--
		}
	}
	return widths // still wider than width when only what stays whole is left
}

// fitCell is c at most w wide: its text cut short with "…" where needed,
// its mark whole.
func fitCell(c cell, w int) string {
	if c.width() <= w {
		return c.text + c.mark
	}
	keep := max(0, w-utf8.RuneCountInString(c.mark)-1)
	return string([]rune(c.text)[:min(keep, utf8.RuneCountInString(c.text))]) + "…" + c.mark
}
