// Package storage keeps Referral Desk's offline cache in one SQLite file:
// sources, their tokens, the FHIR resources fetched from them, the inbox rows
// computed from referral Tasks, and the outbox of status changes to send.
//
// It owns the schema, its migrations, the queries, the in-memory inbox
// index and the one seam (sealer.go) every column that holds a secret or
// identifies a person passes through, so that encryption at rest is added
// in one place. It must not know FHIR or the referral workflow: app hands
// it rows already computed, with the ranks the inbox sorts by.
package storage
