package fhirtest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Browser is a scripted system browser for the app's sign-in: given the
// authorization URL the app opens, it does what a person does on this
// platform's pages (sign in as user, click Allow) and then follows the
// redirect to the app's callback, whatever it carries (a code or an error).
// It returns nil once the callback answered, and an error when a page
// refuses (wrong password, an error page) or the callback cannot be reached.
// Cookies persist across calls of the returned function, as in a real
// browser: a second sign-in skips the password.
func (s *Server) Browser(user, password string) func(authURL string) error {
	return scriptedBrowser(s.origin, user, password, "approve")
}

// DenyingBrowser is Browser, but the person clicks Deny.
func (s *Server) DenyingBrowser(user, password string) func(authURL string) error {
	return scriptedBrowser(s.origin, user, password, "deny")
}

// ScriptedBrowser is Browser for a platform served by another process
// (referraldesk demo-platform), given its URL ("http://127.0.0.1:PORT").
func ScriptedBrowser(platformURL, user, password string) func(authURL string) error {
	return scriptedBrowser(strings.TrimRight(platformURL, "/"), user, password, "approve")
}

func scriptedBrowser(origin, user, password, decision string) func(string) error {
	onOrigin := func(u *url.URL) bool { return u.Scheme+"://"+u.Host == origin }
	jar, _ := cookiejar.New(nil)
	return func(authURL string) error {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections() // no connection outlives the sign-in
		hc := &http.Client{
			Jar:           jar,
			Transport:     tr,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		req, err := http.NewRequest(http.MethodGet, authURL, nil)
		if err != nil {
			return fmt.Errorf("browser: %w", err)
		}
		if !onOrigin(req.URL) {
			return fmt.Errorf("browser: %s is not this platform's authorization endpoint", authURL)
		}
		triedPassword := false
		for range 10 {
			if !onOrigin(req.URL) {
				return deliver(hc, req)
			}
			resp, err := hc.Do(req)
			if err != nil {
				return fmt.Errorf("browser: %w", err)
			}
			body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if err != nil {
				return fmt.Errorf("browser: %w", err)
			}
			if loc, err := resp.Location(); err == nil && resp.StatusCode/100 == 3 {
				if req, err = http.NewRequest(http.MethodGet, loc.String(), nil); err != nil {
					return fmt.Errorf("browser: redirect: %w", err)
				}
				continue
			}
			page := string(body)
			if f, ok := findForm(page, "sign-in-form"); ok {
				if triedPassword {
					return fmt.Errorf("browser: sign-in refused: %s", elementText(page, "sign-in-error"))
				}
				triedPassword = true
				f.fields.Set("username", user)
				f.fields.Set("password", password)
				req, err = f.submit(resp.Request.URL, "sign-in")
			} else if f, ok := findForm(page, "approve-form"); ok {
				req, err = f.submit(resp.Request.URL, decision)
			} else {
				problem := elementText(page, "error")
				if problem == "" {
					problem = resp.Status
				}
				return fmt.Errorf("browser: %s", problem)
			}
			if err != nil {
				return err
			}
		}
		return errors.New("browser: too many pages")
	}
}

// deliver opens the app's callback: the last step of a sign-in.
func deliver(hc *http.Client, req *http.Request) error {
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("browser: the app's redirect URI did not answer: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return nil
}

// form is an HTML form of this platform's pages.
type form struct {
	action  string
	fields  url.Values
	buttons map[string][2]string // id -> name, value
}

var (
	formTag  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	fieldTag = regexp.MustCompile(`<(input|button)\b([^>]*)>`)
	attrs    = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)
)

func attrMap(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrs.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// findForm finds the form with id on page, with its fields' current values.
func findForm(page, id string) (*form, bool) {
	for _, m := range formTag.FindAllStringSubmatch(page, -1) {
		fa := attrMap(m[1])
		if fa["id"] != id {
			continue
		}
		f := &form{action: fa["action"], fields: url.Values{}, buttons: map[string][2]string{}}
		for _, t := range fieldTag.FindAllStringSubmatch(m[2], -1) {
			a := attrMap(t[2])
			switch {
			case t[1] == "button":
				f.buttons[a["id"]] = [2]string{a["name"], a["value"]}
			case a["name"] != "":
				f.fields.Set(a["name"], a["value"])
			}
		}
		return f, true
	}
	return nil, false
}

// submit is the POST a click on the button with id sends.
func (f *form) submit(page *url.URL, button string) (*http.Request, error) {
	b, ok := f.buttons[button]
	if !ok {
		return nil, fmt.Errorf("browser: the page has no button %q", button)
	}
	if b[0] != "" {
		f.fields.Set(b[0], b[1])
	}
	action, err := page.Parse(f.action)
	if err != nil {
		return nil, fmt.Errorf("browser: form action: %w", err)
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(f.fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// elementText is the text of the element with id on page.
func elementText(page, id string) string {
	re := regexp.MustCompile(`(?s)<(\w+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</`)
	if m := re.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(strings.TrimSpace(m[2]))
	}
	return ""
}
