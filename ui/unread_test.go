package ui

import (
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// A new referral opened is read; Mark as unread (Ctrl+U) makes it unread
// again and closes it, so the list shows it new and unopened.
func TestMarkAsUnread(t *testing.T) {
	h, id := referralWorld(t, specRoutine())
	h.settle()
	if r := h.row(id); app.Unread(r) {
		t.Fatal("the referral just opened is still unread")
	}
	if item := h.menuItem("Mark as unread"); item.Shortcut == nil || item.Shortcut.ShortcutName() != unreadShortcut.ShortcutName() {
		t.Error("the Mark as unread menu item does not show Ctrl+U")
	}
	h.w.typedShortcut(unreadShortcut)
	h.settle()
	if h.w.detail.task != "" {
		t.Errorf("the referral is still open (%s): reading it would mark it read again", h.w.detail.task)
	}
	if r := h.row(id); !app.Unread(r) {
		t.Error("after Mark as unread the referral is not unread")
	}
}

// row is the inbox row of a Task, as the app lists it.
func (h *harness) row(taskID string) app.Referral {
	h.t.Helper()
	refs, err := h.app.Inbox(h.ctx, app.InboxFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range refs {
		if r.TaskID == taskID {
			return r
		}
	}
	h.t.Fatalf("no row for %s", taskID)
	return app.Referral{}
}
