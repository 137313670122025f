// Package app is what Referral Desk does, in its own words: sources,
// sign-in, sync, referrals, their statuses and the changes a case worker
// sends back. The window (ui) and the command line (ui/cli) both drive it.
//
// It owns the domain: Referral, Source, Change and their states, the IG's
// status workflow (status.go, one list of statuses and their order), the
// error kinds and every sentence a case worker reads (errors.go,
// sentences.go), and the wiring of a data folder (Open).
//
// A sync (sync.go) takes each page of a platform's Tasks through four steps:
// fetch (fhir.Search), resolve what its Tasks reference (batches), compute
// their inbox rows (referral.go), store; pageLine (syncline.go) overlaps the
// steps of consecutive pages.
//
// It must not know Fyne, SQL or HTTP: screens are in ui, rows and queries in
// storage, requests and FHIR syntax in fhir, OAuth in auth.
package app
