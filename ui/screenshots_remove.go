//go:build screenshots

package ui

import (
	"context"
	"fmt"

	"github.com/referraldesk/referraldesk/app"
)

// removeScreens: the question Referral Desk ▸ Remove a platform asks first,
// for the demo platform with what it holds now. Keep it is pressed after:
// the steps that follow need the platform.
func (s *shooter) removeScreens() error {
	w := s.w
	w.settle()
	var id int64
	s.do(func() {
		if len(w.sources) > 0 {
			id = w.sources[0].ID
		}
	})
	if id == 0 {
		return fmt.Errorf("remove-platform: no platform is connected")
	}
	ctx := context.Background()
	src, err := w.a.Source(ctx, id)
	if err != nil {
		return fmt.Errorf("remove-platform: %s", app.Explain(err))
	}
	n, err := w.a.CountInbox(ctx, app.InboxFilter{SourceID: id})
	if err != nil {
		return fmt.Errorf("remove-platform: %s", app.Explain(err))
	}
	var r *removeDialog
	s.do(func() { r = w.confirmRemove(src, n) })
	if err := s.shot("remove-platform"); err != nil {
		return err
	}
	s.do(func() { r.keep.OnTapped() })
	w.settle()
	// The dialog's overlay may go a paint later; what matters is that the
	// platform is still there for the steps that follow.
	return s.expect("the platform kept", func() bool { return len(w.sources) > 0 })
}
