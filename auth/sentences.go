package auth

import (
	"strconv"
	"strings"
)

// Reason says why an Error happened, in a few technical words (it is part of Error(), for logs), and is
// the key to the sentence a case worker reads. This file is the one place in auth where those sentences
// are written; app.Explain is the one place that shows them.
type Reason string

// Reasons app acts on: a platform that could not be reached is offline, not broken.
const (
	ReasonUnreachable Reason = "platform unreachable"
	ReasonNoAnswer    Reason = "no answer in time"
	// ReasonClientUnknown: the platform no longer knows Referral Desk's client id (ErrClientUnknown).
	ReasonClientUnknown Reason = "client unknown to the platform"
)

// Links and addresses (link.go, browser.go).
const (
	reasonLinkDamaged     Reason = "link is not valid UTF-8"
	reasonLinkEmpty       Reason = "link is empty"
	reasonLinkTooLong     Reason = "link too long"
	reasonLinkFragment    Reason = "link has a fragment"
	reasonLinkTwoIss      Reason = "link names iss more than once"
	reasonLinkQuery       Reason = "link has a query"
	reasonAddressDamaged  Reason = "address damaged, padded or too long"
	reasonAddressFragment Reason = "address has a fragment"
	reasonLinkBackslash   Reason = "link has a backslash"
	reasonLinkInvalid     Reason = "not a valid URL"
	reasonLinkScheme      Reason = "not a web link"
	reasonLinkHidden      Reason = "link has hidden characters"
	reasonLinkHTTP        Reason = "http off this computer"
	reasonLinkNoScheme    Reason = "no scheme"
	reasonLinkNoHost      Reason = "no host"
	reasonLinkUserinfo    Reason = "userinfo in link"
	reasonLinkPort        Reason = "impossible port"
	reasonLinkOddHost     Reason = "percent in host"
	reasonBrowserLink     Reason = "browser link not https"
	reasonBrowserStart    Reason = "browser did not start"
	reasonBrowserFailed   Reason = "browser failed"
)

// Talking to the platform (errors.go, discover.go).
const (
	reasonCanceled           Reason = "request cancelled"
	reasonCrossHost          Reason = "redirect to another host"
	reasonTooLarge           Reason = "answer too large"
	reasonCertificate        Reason = "certificate not valid"
	reasonDiscoveryBusy      Reason = "discovery unavailable"
	reasonNoSettings         Reason = "no sign-in settings"
	reasonSettingsHTML       Reason = "sign-in settings are a web page"
	reasonSettingsNotJSON    Reason = "sign-in settings not JSON"
	reasonSettingsMalformed  Reason = "sign-in settings malformed"
	reasonNotFHIR            Reason = "metadata is not a CapabilityStatement"
	reasonNoSMART            Reason = "no SMART sign-in"
	reasonSettingsUnsafe     Reason = "unsafe endpoint in sign-in settings"
	reasonNoTokenEndpoint    Reason = "no token_endpoint"
	reasonNoAuthorizeAddress Reason = "no authorization_endpoint"
	reasonNoS256             Reason = "no S256 PKCE"
	reasonNoCodeGrant        Reason = "no authorization_code grant"
	reasonOIDCIncomplete     Reason = "OpenID Connect without issuer or jwks_uri"
)

// Registering, signing in, tokens (register.go, signin.go, loopback.go, idtoken.go, token.go, refresh.go,
// revoke.go).
const (
	reasonNoRegistration       Reason = "no registration_endpoint"
	reasonRegistrationUnsafe   Reason = "unsafe registration_endpoint"
	reasonNoRedirect           Reason = "no redirect URI"
	reasonRedirectNotLoopback  Reason = "redirect URI not on this computer"
	reasonRegistrationPrepare  Reason = "registration request not built"
	reasonRegistrationInvalid  Reason = "registration request invalid"
	reasonRegistrationBusy     Reason = "registration unavailable"
	reasonRegistrationRefused  Reason = "registration refused"
	reasonRegistrationUnusable Reason = "registration answer unusable"
	reasonRegistrationSecret   Reason = "registered as a confidential client"
	reasonRevocationUnsafe     Reason = "unsafe revocation_endpoint"
	reasonRevocationBusy       Reason = "revocation unavailable"
	reasonRevocationRefused    Reason = "revocation refused"
	reasonNoClientID           Reason = "no client_id"
	reasonBrowserOpen          Reason = "browser could not open the sign-in"
	reasonSignInTimeout        Reason = "sign-in not finished in time"
	reasonSignInCanceled       Reason = "sign-in cancelled"
	reasonNoConfig             Reason = "no sign-in settings read"
	reasonBadPort              Reason = "invalid loopback port"
	reasonBadPath              Reason = "invalid loopback path"
	reasonPortInUse            Reason = "loopback port unavailable"
	reasonListen               Reason = "loopback listener failed"
	reasonAuthorizeUnsafe      Reason = "unsafe authorization_endpoint"
	reasonMixUp                Reason = "callback from another issuer"
	reasonNoCode               Reason = "callback without code"
	reasonDenied               Reason = "access denied by the person"
	reasonScopeRefused         Reason = "scope refused"
	reasonSignInBusy           Reason = "sign-in unavailable"
	reasonSignInRefused        Reason = "sign-in request refused"
	reasonIDTokenExpired       Reason = "id_token expired"
	reasonIDTokenInvalid       Reason = "id_token not verified"
	reasonTokenBusy            Reason = "token endpoint busy"
	reasonSignInEnded          Reason = "grant ended"
	reasonRefreshDeclined      Reason = "refresh refused"
	reasonTokenRefused         Reason = "code exchange refused"
	reasonRefreshUnusable      Reason = "refresh answer unusable"
	reasonTokenUnusable        Reason = "token answer unusable"
	reasonSaveFailed           Reason = "refreshed token not saved"
)

// What will not work with the scopes a platform granted (scopes.go): Result.Warnings and MissingScopes.
const (
	reasonNoOffline       Reason = "no offline_access"
	reasonNoWhoAmI        Reason = "no fhirUser"
	reasonNoTaskRead      Reason = "no Task read"
	reasonNoTaskUpdate    Reason = "no Task update"
	reasonNoRequestRead   Reason = "no ServiceRequest read"
	reasonNoPatientRead   Reason = "no Patient read"
	reasonNoConsentRead   Reason = "no Consent read"
	reasonNoNeedsRead     Reason = "no Condition or Goal read"
	reasonNoRequesterRead Reason = "no requester read"
	reasonNoProcedure     Reason = "no Procedure create"
)

const (
	tryLink      = " Copy it again from the platform."
	askFHIRLink  = " Ask the platform for its FHIR link."
	askPlain     = " Ask the platform for its plain link."
	fixSMART     = " Ask the platform to fix its SMART configuration."
	isFHIRBase   = " Check that the link is the platform's FHIR address."
	askClientID  = " Ask the platform for a client ID and enter it."
	laterNothing = " Referral Desk will try again later; nothing was lost."
)

// sentences are what a case worker reads for each Reason. {port}, {status}, {field}, {wait} and {max} are
// filled in from the Error.
var sentences = map[Reason]string{
	reasonLinkDamaged:     "This link contains damaged characters." + tryLink,
	reasonLinkEmpty:       "The link is empty. Paste the platform's FHIR link.",
	reasonLinkTooLong:     "This link is too long (over {max} characters)." + askFHIRLink,
	reasonLinkFragment:    "This link has a '#' part, which a FHIR address never has." + askFHIRLink,
	reasonLinkTwoIss:      "This sign-in link names more than one server." + askFHIRLink,
	reasonLinkQuery:       "This link has extra parts after '?', which a FHIR address never has." + askFHIRLink,
	reasonAddressDamaged:  "This address is damaged or too long.",
	reasonAddressFragment: "This address has a '#' part, which a server address never has.",
	reasonLinkBackslash:   "This link contains a backslash, which can disguise where it leads." + tryLink,
	reasonLinkInvalid:     "This is not a valid web link." + tryLink,
	reasonLinkScheme:      "This is not a web link ({field}:). Referral Desk only opens https links.",
	reasonLinkHidden:      "This link contains hidden or invisible characters, which can disguise where it leads." + tryLink,
	reasonLinkHTTP:        "This link is not secure (http). Ask the platform for its https link.",
	reasonLinkNoScheme:    "This address is incomplete: it does not start with https://.",
	reasonLinkNoHost:      "This link has no server name after https://." + tryLink,
	reasonLinkUserinfo:    "This link hides its real destination behind a name and '@'." + askPlain,
	reasonLinkPort:        "This link has an impossible port number." + tryLink,
	reasonLinkOddHost:     "This link has an unusual server name." + askPlain,
	reasonBrowserLink:     "Referral Desk only opens secure web links (https) in the browser.",
	reasonBrowserStart:    "Referral Desk could not start the web browser. Check that one is installed (or fix the BROWSER setting).",
	reasonBrowserFailed:   "The web browser could not open the sign-in page.",

	ReasonUnreachable:        "Referral Desk could not reach the platform. Check the internet connection; nothing was lost.",
	ReasonNoAnswer:           "The platform did not answer in time." + laterNothing,
	reasonCanceled:           "Referral Desk stopped waiting for the platform because the request was cancelled.",
	reasonCrossHost:          "The platform tried to send Referral Desk to a different server; for safety it was not followed.",
	reasonTooLarge:           "The platform sent far more data than expected; Referral Desk stopped reading it.",
	reasonCertificate:        "The platform's security certificate is not valid, so Referral Desk did not connect. Ask the platform to fix it.",
	reasonDiscoveryBusy:      "The platform is not available right now. Try again later.",
	reasonNoSettings:         "The platform has no sign-in settings at this address (HTTP {status})." + isFHIRBase,
	reasonSettingsHTML:       "The platform answered with a web page instead of its sign-in settings. Check that the link is the platform's FHIR address, not its website.",
	reasonSettingsNotJSON:    "The platform's sign-in settings could not be read." + isFHIRBase,
	reasonSettingsMalformed:  "The platform's sign-in settings are malformed." + fixSMART,
	reasonNotFHIR:            "The address did not answer like a FHIR server." + isFHIRBase,
	reasonNoSMART:            "This FHIR server does not offer SMART sign-in. Ask the platform which address to use.",
	reasonSettingsUnsafe:     "The platform's sign-in settings point to an unsafe or incomplete address ({field})." + fixSMART,
	reasonNoTokenEndpoint:    "The platform's sign-in settings lack a token address (token_endpoint)." + fixSMART,
	reasonNoAuthorizeAddress: "This platform does not offer sign-in through the browser (no authorization_endpoint). Ask the platform how to connect.",
	reasonNoS256:             "This platform only offers an outdated, unsafe sign-in method (PKCE without S256), so Referral Desk will not use it. Ask the platform to enable S256.",
	reasonNoCodeGrant:        "This platform does not offer sign-in through the browser (no authorization_code grant). Ask the platform how to connect.",
	reasonOIDCIncomplete:     "The platform's sign-in settings are incomplete (OpenID Connect without issuer or jwks_uri)." + fixSMART,

	reasonNoRegistration:       "This platform does not let Referral Desk register itself." + askClientID,
	reasonRegistrationUnsafe:   "The platform's registration address is unsafe or incomplete. Ask the platform for a client ID instead.",
	reasonNoRedirect:           "Referral Desk has no sign-in return address to register.",
	reasonRedirectNotLoopback:  "Referral Desk only registers return addresses on this computer (127.0.0.1).",
	reasonRegistrationPrepare:  "Referral Desk could not prepare its registration.",
	reasonRegistrationInvalid:  "The platform's registration address is not valid.",
	reasonRegistrationBusy:     "The platform could not register Referral Desk right now. Try again later.",
	reasonRegistrationRefused:  "The platform refused to register Referral Desk." + askClientID,
	reasonRegistrationUnusable: "The platform's answer to the registration could not be used." + askClientID,
	reasonRegistrationSecret:   "The platform registered Referral Desk as a different kind of app than it asked for." + askClientID,
	reasonRevocationUnsafe:     "The platform's address for ending a sign-in is unsafe or incomplete, so the sign-in was not ended there.",
	reasonRevocationBusy:       "The platform could not end the sign-in right now. Try again later.",
	reasonRevocationRefused:    "The platform refused to end the sign-in.",
	reasonNoClientID:           "Referral Desk has no client ID for this platform. Enter the one the platform gave you, or let Referral Desk register itself.",
	reasonBrowserOpen:          "Referral Desk could not open your web browser for the sign-in. Check that a web browser is installed and try again.",
	reasonSignInTimeout:        "The platform's sign-in did not answer within {wait}. Try again.",
	reasonSignInCanceled:       "The sign-in was cancelled.",
	reasonNoConfig:             "Referral Desk has not read this platform's sign-in settings yet. Connect the platform again.",
	reasonBadPort:              "The sign-in port {port} is not a valid port number (1 to 65535).",
	reasonBadPath:              "The sign-in return path must start with '/' and contain only letters, digits and - . _ ~ /.",
	reasonPortInUse:            "Referral Desk could not wait for the sign-in on port {port} of this computer; another program may be using it. Close that program or choose another port for this platform.",
	reasonListen:               "Referral Desk could not wait for the sign-in on this computer.",
	reasonAuthorizeUnsafe:      "The platform's sign-in address is unsafe or incomplete." + fixSMART,
	reasonMixUp:                "The sign-in came back from a different server than expected; nothing was saved.",
	reasonNoCode:               "The platform's sign-in came back without a sign-in code. Try again.",
	reasonDenied:               "You chose not to allow Referral Desk to use your account on this platform, so you are not signed in. Nothing was changed.",
	reasonScopeRefused:         "The platform refused the permissions Referral Desk asks for. Ask the platform to allow them.",
	reasonSignInBusy:           "The platform's sign-in is not available right now. Try again later.",
	reasonSignInRefused:        "The platform refused the sign-in request. Ask the platform to check Referral Desk's client ID and return address.",
	reasonIDTokenExpired:       "The platform's proof of who signed in has already expired (check this computer's clock); nothing was saved.",
	reasonIDTokenInvalid:       "The platform's proof of who signed in could not be verified; nothing was saved. Try again or ask the platform.",
	reasonTokenBusy:            "The platform could not answer right now. Try again later; nothing was lost.",
	reasonSignInEnded:          "Your sign-in to this platform has ended. Sign in again to keep working with it; nothing you saved was lost.",
	ReasonClientUnknown:        "The platform no longer recognises Referral Desk; it may have been reset. Sign in again to connect it anew; nothing you saved was lost.",
	reasonRefreshDeclined:      "The platform did not renew the sign-in this time. Referral Desk keeps it and will try again later; nothing was lost.",
	reasonTokenRefused:         "The platform did not accept the sign-in. Try again; nothing was saved.",
	reasonRefreshUnusable:      "The platform answered with something Referral Desk cannot use." + laterNothing,
	reasonTokenUnusable:        "The platform answered the sign-in with something Referral Desk cannot use. Try again later or ask the platform.",
	reasonSaveFailed:           "Referral Desk could not save the renewed sign-in on this computer, so it is not used yet. Check the free disk space; Referral Desk will try again.",

	reasonNoOffline:       "Referral Desk cannot stay signed in; you will be asked to sign in again when the session ends.",
	reasonNoWhoAmI:        "Referral Desk cannot tell which account you signed in with.",
	reasonNoTaskRead:      "Referral Desk cannot see the referrals sent to you.",
	reasonNoTaskUpdate:    "Referral Desk cannot send status changes (accepted, declined, completed) back to the platform.",
	reasonNoRequestRead:   "Referral Desk cannot show what service each referral asks for.",
	reasonNoPatientRead:   "Referral Desk cannot show who each referral is for.",
	reasonNoConsentRead:   "Referral Desk cannot show the person's consent to share information.",
	reasonNoNeedsRead:     "Referral Desk cannot show the person's needs and goals.",
	reasonNoRequesterRead: "Referral Desk cannot show who sent each referral.",
	reasonNoProcedure:     "Referral Desk cannot record on the platform the services you provided.",
}

// Sentence is what a case worker reads for e: its reason's sentence with e's details filled in. app.Explain
// is the one place that shows it; everything else reads the Kind, and logs read Error().
func (e *Error) Sentence() string {
	s, ok := sentences[e.Reason]
	if !ok {
		return "" // app.Explain then speaks from the kind
	}
	return strings.NewReplacer(
		"{port}", strconv.Itoa(e.Port),
		"{status}", strconv.Itoa(e.Status),
		"{field}", e.Field,
		"{wait}", humanDuration(e.Wait),
		"{max}", strconv.Itoa(maxLinkLen),
	).Replace(s)
}

// Sentence is what a case worker reads for a reason that needs no details, such as a warning of
// MissingScopes.
func (r Reason) Sentence() string { return (&Error{Reason: r}).Sentence() }
