// Package keys owns the data key that encrypts what Referral Desk keeps at
// rest, and how that key is wrapped so that only a person can unlock it: by a
// passphrase (stretched with Argon2id, because people choose guessable ones)
// or by a printed recovery key (160 random bits, so HKDF-SHA256 is enough).
//
// A Vault holds the two wrappings; neither holds a secret, so a Vault may be
// stored next to the data. Losing both the passphrase and the recovery key
// loses the data: there is no back door.
//
// The package is pure cryptography and the rules for secrets a person types.
// It must not know SQL, files or the UI: storage decides where a Vault is
// kept, the UI decides how to ask for the secrets.
package keys
