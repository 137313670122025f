package fhirtest

import (
	"html/template"
	"net/http"
)

// The pages a person sees while signing in. Element ids are stable: the
// scripted Browser and UI tests find the form, fields and buttons by them.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}} — {{.Platform}}</title></head>
<body><header><h1>{{.Platform}}</h1></header>{{end}}

{{define "sign-in"}}{{template "head" .}}
<main>
<h2>Sign in</h2>
<p>Sign in to let <strong id="app-name">{{.App}}</strong> work your referrals.</p>
{{if .Error}}<p id="sign-in-error" role="alert">{{.Error}}</p>{{end}}
<form id="sign-in-form" method="post" action="/auth/sign-in">
<input type="hidden" name="request" value="{{.Request}}">
<p><label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required value="{{.Username}}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button id="sign-in" type="submit">Sign in</button></p>
</form>
</main></body></html>{{end}}

{{define "approve"}}{{template "head" .}}
<main>
<h2>Allow <span id="app-name">{{.App}}</span>?</h2>
<p>You are signed in as <strong id="user">{{.User}}</strong>. <strong>{{.App}}</strong> asks to:</p>
<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{else}}<li>Nothing on this platform</li>{{end}}</ul>
{{if .Refused}}<p>It also asked for these, which this platform does not offer:</p>
<ul id="refused-scopes">{{range .Refused}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form id="approve-form" method="post" action="/auth/approve">
<input type="hidden" name="request" value="{{.Request}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><button id="approve" type="submit" name="decision" value="approve">Allow</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button></p>
</form>
</main></body></html>{{end}}

{{define "error"}}{{template "head" .}}
<main>
<h2>Sign-in cannot continue</h2>
<p id="error" role="alert">{{.Error}}</p>
<p>Go back to the app and try again. If this keeps happening, tell the app's support.</p>
</main></body></html>{{end}}
`))

type pageData struct {
	Title, Platform, App, Request, Username, User, CSRF, Error string
	Scopes, Refused                                            []string
}

func (s *Server) signInPage(w http.ResponseWriter, status int, id string, req *authRequest, username, problem string) {
	s.page(w, status, "sign-in", pageData{Title: "Sign in", App: req.client.name, Request: id, Username: username, Error: problem})
}

func (s *Server) consentPage(w http.ResponseWriter, id string, req *authRequest, sess *session) {
	d := pageData{Title: "Allow access", App: req.client.name, Request: id, User: sess.user, CSRF: sess.csrf}
	for _, sc := range req.scopes {
		d.Scopes = append(d.Scopes, describeScope(sc))
	}
	d.Refused = req.refused
	s.page(w, http.StatusOK, "approve", d)
}

func (s *Server) errorPage(w http.ResponseWriter, status int, problem string) {
	s.page(w, status, "error", pageData{Title: "Error", Error: problem})
}

func (s *Server) page(w http.ResponseWriter, status int, name string, d pageData) {
	d.Platform = PlatformName
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	pages.ExecuteTemplate(w, name, d)
}
