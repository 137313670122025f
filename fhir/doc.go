// Package fhir speaks FHIR R4 on the wire: resources as received,
// references, typed searches with paging, reads, batches, updates and the
// platform's errors.
//
// Resources are kept as the JSON the server sent (Raw), and read once,
// strictly, by ParseResource into their identity and a typed view (As) of
// the elements Referral Desk uses, so nothing the client does not model is
// lost. It must not know the referral workflow's rules (which status may
// follow which: app), where anything is stored (storage), or sign-in (auth
// hands it a token source). fhir/fhirtest is a whole referral platform for
// tests and the demo; fhir/wire is the HTTP policy shared with auth.
package fhir
