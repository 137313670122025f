package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// ConnectOptions are what a case worker (or a connection link) says about a platform.
type ConnectOptions struct {
	Link         string // the platform's link: a FHIR base URL or a SMART link with iss=
	ClientID     string // issued by the platform; empty = register (RFC 7591) when the platform allows
	RedirectPort int    // fixed loopback port when the platform requires an exact redirect URI; 0 = any
	Owner        string // whose referrals to receive ("Organization/123"); empty = from the sign-in
	Name         string // how the platform is called here; empty = its host
	// OnWaiting, when set, hears when the sign-in starts waiting for the
	// case worker, and when the browser could not be opened (the sign-in
	// then keeps waiting for the address opened by hand); see Waiting.
	OnWaiting func(Waiting)
}

// Platform is what Referral Desk found at a link, before anyone signs in.
type Platform struct {
	FHIRBase string
	Host     string
	Config   *auth.Config
}

// Discover checks a link (CheckLink: nothing is contacted for a link it
// refuses) and reads the platform's SMART configuration.
func (a *App) Discover(ctx context.Context, link string) (*Platform, error) {
	l, err := CheckLink(link)
	if err != nil {
		return nil, err
	}
	cfg, err := auth.Discover(ctx, a.hc, l.FHIRBase)
	if err != nil {
		return nil, unknownHost(l, err)
	}
	u, _ := url.Parse(l.FHIRBase)
	return &Platform{FHIRBase: l.FHIRBase, Host: u.Host, Config: cfg}, nil
}

// Connect checks the link as CheckLink does, whoever calls it (the window,
// the command line, a reconnect), then discovers the platform, registers
// Referral Desk with it when no client id is given, signs in through the
// system browser, works out whose referrals to receive, and stores the
// source with its tokens. Connecting a platform that is already connected
// signs in to it again and keeps its data.
func (a *App) Connect(ctx context.Context, o ConnectOptions) (Source, error) {
	p, err := a.Discover(ctx, o.Link)
	if err != nil {
		return Source{}, err
	}
	existing, err := a.store.SourceByBase(ctx, p.FHIRBase)
	switch {
	case err == nil:
		if o.ClientID == "" {
			o.ClientID = existing.ClientID
		}
		if o.RedirectPort == 0 {
			o.RedirectPort = existing.RedirectPort
		}
		if o.Owner == "" {
			o.Owner = existing.Owner
		}
		if o.Name == "" {
			o.Name = existing.Name
		}
	case !errors.Is(err, storage.ErrNotFound):
		return Source{}, err
	}
	if o.Owner != "" {
		if _, _, ok := fhir.SplitReference(o.Owner); !ok {
			return Source{}, &Error{Op: "connect", Kind: KindInvalid, Reason: reasonNotAReference, Value: o.Owner}
		}
	}
	res, port, clientID, err := a.signIn(ctx, p, o)
	if err != nil {
		return Source{}, err
	}
	cfgJSON, _ := json.Marshal(p.Config)
	src := storage.Source{
		ID: existing.ID, CreatedAt: existing.CreatedAt,
		Name: o.Name, FHIRBase: p.FHIRBase, ClientID: clientID, RedirectPort: port,
		Owner: o.Owner, Scopes: res.Token.Scope, AuthConfig: cfgJSON,
		State: SourceNeedsSignIn.stored(), Watermark: existing.Watermark, LastSyncAt: existing.LastSyncAt,
	}
	if existing.ID != 0 && o.Owner != existing.Owner {
		// Another owner's referrals are all new to us: start from the beginning.
		src.Watermark = ""
	}
	if src.Name == "" {
		src.Name = a.PlatformName(ctx, p.FHIRBase)
	}
	if src.Name == "" {
		src.Name = p.Host
	}
	if src.ID == 0 {
		if src.ID, err = a.store.AddSource(ctx, src); err != nil {
			return Source{}, err
		}
	} else if err := a.store.UpdateSource(ctx, src); err != nil {
		return Source{}, err
	}
	if err := a.store.SaveTokens(ctx, src.ID, storage.Tokens(res.Token)); err != nil {
		return Source{}, err
	}
	a.forget(src.ID)
	if src.Owner == "" {
		owner, err := a.ownerFromSignIn(ctx, src.ID, res.FHIRUser)
		if err != nil {
			return Source{}, err
		}
		src.Owner = owner
	}
	src.State = SourceOK.stored()
	src.StateDetail = grantLimits(res.Token.Scope)
	if err := a.store.UpdateSource(ctx, src); err != nil {
		return Source{}, err
	}
	a.forget(src.ID)
	return sourceOf(src), nil
}

// signIn runs the browser sign-in, registering a client for the exact
// loopback redirect URI first when the platform offers registration and no
// client id is known. It returns the port used, so later sign-ins reuse the
// registered redirect URI.
func (a *App) signIn(ctx context.Context, p *Platform, o ConnectOptions) (*auth.Result, int, string, error) {
	clientID := o.ClientID
	if clientID == "" && p.Config.RegistrationEndpoint == "" {
		return nil, 0, "", &Error{Op: "connect", Kind: KindRefused, Reason: reasonNoRegistration}
	}
	port := o.RedirectPort
	var regErr error
	si := &auth.SignIn{
		FHIRBase: p.FHIRBase, Config: p.Config, ClientID: clientID, Port: port,
		Open: a.openSignIn(o.OnWaiting), HTTP: a.hc, Wait: a.wait, Now: a.now,
	}
	si.Listening = func(redirectURI string) {
		if si.ClientID != "" {
			return
		}
		// Registered for this exact URI: keep its port so later sign-ins match it.
		if u, err := url.Parse(redirectURI); err == nil {
			port, _ = strconv.Atoi(u.Port())
		}
		si.ClientID, regErr = auth.Register(ctx, a.hc, p.Config, "Referral Desk", []string{redirectURI})
	}
	res, err := si.Run(ctx)
	if regErr != nil {
		return nil, 0, "", regErr
	}
	if err != nil {
		return nil, 0, "", err
	}
	return res, port, si.ClientID, nil
}

// ownerFromSignIn works out whose referrals to receive from the signed-in
// user: a PractitionerRole's organization, or the Practitioner or
// Organization itself (never assume Organization: the IG allows owners of
// several types).
func (a *App) ownerFromSignIn(ctx context.Context, id int64, fhirUser string) (string, error) {
	typ, rid, ok := fhir.SplitReference(fhirUser)
	if !ok {
		return "", &Error{Op: "connect", Kind: KindInvalid, Reason: reasonWhoUnknown}
	}
	switch typ {
	case "Organization", "Practitioner", "HealthcareService":
		return typ + "/" + rid, nil
	case "PractitionerRole":
		s, err := a.session(ctx, id)
		if err != nil {
			return "", err
		}
		r, err := s.fhir.Read(ctx, typ, rid)
		if err != nil {
			return "", &Error{Op: "connect", Reason: reasonRoleUnread, Err: err}
		}
		role, ok := fhir.As[fhir.PractitionerRole](r)
		if !ok {
			return "", &Error{Op: "connect", Kind: KindDamaged, Reason: reasonRoleUndecodable, Err: fmt.Errorf("%s is not a readable PractitionerRole", r.Ref())}
		}
		if t, oid, ok := role.Organization.TypeID(); ok && t == "Organization" {
			return t + "/" + oid, nil
		}
		return typ + "/" + rid, nil
	}
	return "", &Error{Op: "connect", Kind: KindInvalid, Reason: reasonOwnerType, Value: typ}
}
