// Package authtest signs in the way a person does, for tests: it drives the
// system's Chromium (Debian's chromium package) through a platform's sign-in
// and approve pages.
package authtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath finds the Chromium binary: $CHROMIUM, else chromium or chromium-browser on PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: install the chromium package (make test does) or set $CHROMIUM")
}

// Browser is a headless Chromium that a test uses as "the system browser".
type Browser struct {
	ctx context.Context
	// Pages records the title of every page the sign-in showed, in order.
	Pages []string
}

// NewBrowser starts a headless Chromium for the test and stops it at cleanup.
// The test fails (not skips) when Chromium is missing: sign-in must be proven
// with a real browser.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path, err := ChromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return &Browser{ctx: ctx}
}

// SignIn returns an opener that, given the authorization URL, fills in the
// platform's sign-in page (#username, #password, #sign-in) and approves
// (#approve), then waits until the browser shows the app's loopback page.
func (b *Browser) SignIn(user, password string) func(authURL string) error {
	return func(authURL string) error {
		ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
		defer cancel()
		var signInTitle, approveTitle, done string
		title := func(dst *string) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) {
				*dst, err = chromedp.Title()(ctx, t)
				return err
			})
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(authURL),
			chromedp.WaitVisible(chromedp.ID("username")),
			title(&signInTitle),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("sign-in")),
			chromedp.WaitVisible(chromedp.ID("approve")),
			title(&approveTitle),
			chromedp.Click(chromedp.ID("approve")),
			// The platform redirects to the app's loopback listener, which answers with its own page.
			// A poll that starts on the approve page dies with that page's document: poll again.
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				for {
					text, err := chromedp.Poll[string](`location.href.startsWith("http://127.0.0.1:") && !location.pathname.startsWith("/auth") && document.readyState === "complete" && document.body !== null && document.body.innerText`)(ctx, t)
					if err == nil || ctx.Err() != nil {
						done = text
						return err
					}
				}
			}),
		)
		b.Pages = append(b.Pages, signInTitle, approveTitle, done)
		if err != nil {
			return fmt.Errorf("browser sign-in: %w", err)
		}
		return nil
	}
}
