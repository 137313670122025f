package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// plain spells the accented letters of the demo platform's names (Spanish)
// without their accents, as a case worker types them.
var plain = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ü", "u",
	"Á", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u", "Ñ", "n")

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func taskIDs(refs []app.Referral) []string {
	var ids []string
	for _, r := range refs {
		ids = append(ids, r.TaskID)
	}
	return ids
}

// A case worker finds a person by their name typed without accents or
// capitals, or by their phone number however it is written, with the
// platform's own referrals synced; the view counts follow the search.
func TestSearchFindsPeopleByNameAndPhone(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 60})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	all, err := w.app.Inbox(w.ctx, app.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var who app.Referral
	for _, r := range all {
		if plain.Replace(r.Person) != r.Person {
			who = r
			break
		}
	}
	if who.TaskID == "" {
		t.Fatal("no synced referral is for a person with an accent in their name; the test needs one")
	}
	name := strings.ToLower(plain.Replace(who.Person))
	d, err := w.app.Referral(w.ctx, who.SourceID, who.TaskID)
	if err != nil || len(d.Person.Phones) == 0 {
		t.Fatalf("the referral of %s shows no phone number (%v); the test needs one", who.Person, err)
	}
	phone := d.Person.Phones[0][:strings.LastIndex(d.Person.Phones[0], " (")] // without its use: "(503) 555-0147"
	number := digits(phone)
	for _, q := range []string{name, strings.ToUpper(name), who.Person, name[strings.LastIndex(name, " ")+1:],
		phone, number, number[len(number)-7:len(number)-4] + "-" + number[len(number)-4:], " " + number + " "} {
		found, err := w.app.Inbox(w.ctx, app.InboxFilter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(taskIDs(found), who.TaskID) {
			t.Errorf("search %q did not find %s (%s, %s): found %v", q, who.TaskID, who.Person, phone, taskIDs(found))
		}
		views := [][]string{app.ViewNew, app.ViewActive, app.ViewClosed, nil}
		counts, err := w.app.CountViews(w.ctx, app.InboxFilter{Search: q, Statuses: app.ViewNew}, views...)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range views {
			if n, err := w.app.CountInbox(w.ctx, app.InboxFilter{Search: q, Statuses: v}); err != nil || n != counts[i] {
				t.Errorf("search %q: view %v counts %d, and lists %d (%v)", q, v, counts[i], n, err)
			}
		}
		if counts[3] != len(found) || counts[3] == len(all) {
			t.Errorf("search %q: All counts %d of %d referrals, and lists %d", q, counts[3], len(all), len(found))
		}
	}
	// Every person a phone number finds has that number.
	found, err := w.app.Inbox(w.ctx, app.InboxFilter{Search: phone})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range found {
		d, err := w.app.Referral(w.ctx, r.SourceID, r.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(d.Person.Phones, func(p string) bool { return strings.Contains(digits(p), number) }) {
			t.Errorf("search %q found %s, whose numbers are %v", phone, r.Person, d.Person.Phones)
		}
	}
}
