//go:build screenshots

package ui

import (
	"fmt"
	"strings"

	"github.com/referraldesk/referraldesk/app"
)

// searchPeopleScreens (issue 18): All searched by a family name typed
// without its accent, then by the last digits of that person's phone, with
// the view counts following each search; then New sorted oldest first. The
// search and the sort the run had come back after.
func (s *shooter) searchPeopleScreens() error {
	w := s.w
	r, ok := s.pick(viewAll, func(r app.Referral) bool { return strings.ContainsAny(r.Person, "áéíóúñ") })
	if !ok {
		return fmt.Errorf("screenshots: no demo referral is for a person with an accent in their name")
	}
	family := r.Person[strings.LastIndex(r.Person, " ")+1:]
	typed := strings.ToLower(strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n").Replace(family))
	defer s.do(func() { w.inbox.search.SetText("") })
	s.do(func() { w.inbox.search.SetText(typed) })
	s.open(r)
	if err := s.shot("search-name"); err != nil {
		return err
	}
	var phone string
	s.do(func() {
		if d := w.detail.d; d != nil && len(d.Person.Phones) > 0 {
			phone, _, _ = strings.Cut(d.Person.Phones[0], " (") // without its use
		}
	})
	if len(phone) < 8 {
		return fmt.Errorf("screenshots: %s shows no phone number to search by", r.TaskID)
	}
	s.do(func() { w.inbox.search.SetText(phone[len(phone)-8:]) }) // "555-0147"
	if err := s.shot("search-phone"); err != nil {
		return err
	}
	s.do(func() { w.inbox.search.SetText("") })
	before := app.SortReceived
	s.do(func() { before = w.inbox.sort; w.inbox.setView(viewNew); w.inbox.sortSel.SetSelected("Oldest first") })
	defer s.do(func() { w.inbox.sortSel.SetSelectedIndex(sortIndex(before)) })
	return s.shot("oldest-first")
}

// sortIndex is the sort dropdown's choice for an order.
func sortIndex(o app.SortOrder) int {
	for i, s := range sorts {
		if s.key == o {
			return i
		}
	}
	return 0
}
