// Package auth signs Referral Desk in to referral platforms with SMART on
// FHIR: discovery, client registration, sign-in through the system browser
// (authorization code + PKCE on golang.org/x/oauth2, RFC 8252 loopback
// redirect), id_token verification, token refresh and revocation. The rules
// it implements are in docs/smart-client.md.
//
// It owns the OAuth exchanges and their checks. It must not know where
// tokens are kept (callers persist them through a save function), FHIR
// resources, or the referral workflow; it speaks HTTP only through
// fhir/wire's policy.
package auth
