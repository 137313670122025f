//go:build screenshots

package ui

import "github.com/referraldesk/referraldesk/app"

// settingsScreens: Settings, then Light chosen there, and the inbox with a
// referral open in the light theme (a do-not-contact one when New has one,
// for its banner); the theme the run had comes back after.
func (s *shooter) settingsScreens() error {
	w := s.w
	s.do(w.showSettings)
	if err := s.expect("settings", func() bool { return w.settings != nil }); err != nil {
		return err
	}
	if err := s.shot("settings"); err != nil {
		return err
	}
	before := themeSystem
	s.do(func() { before = w.prefs.theme(); w.settings.theme.SetSelected("Light") })
	defer s.do(func() { w.setTheme(before) })
	if err := s.shot("light-settings"); err != nil {
		return err
	}
	s.do(func() { w.settings.d.Hide() })
	r, ok := s.pick(viewNew, func(r app.Referral) bool { return r.DoNotContact })
	if !ok {
		r, ok = s.pick(viewAll, func(app.Referral) bool { return true })
	}
	if ok {
		s.open(r)
	}
	return s.shot("light-inbox")
}
