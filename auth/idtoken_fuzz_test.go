package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

// The id_token checks (verifyIDToken): a token verifies only when the
// platform's key signed exactly its claims and they name this platform,
// this client and a time it is valid at. The key is fixed (derived from a
// constant), so that tokens in the committed seed corpus stay valid.

const (
	fuzzIssuer = "https://as.example"
	fuzzClient = "rd-client"
)

var fuzzKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	d := sha256.Sum256([]byte("referral desk id_token fuzz key"))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		panic(err)
	}
	return k
})

var b64 = base64.RawURLEncoding.EncodeToString

// es256 signs header and payload as a compact JWS with fuzzKey.
func es256(header, payload []byte) string {
	in := b64(header) + "." + b64(payload)
	h := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, fuzzKey(), h[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + b64(sig)
}

var fuzzHeader = []byte(`{"alg":"ES256","kid":"k1","typ":"JWT"}`)

// validClaims are the claims of the one valid token of FuzzIDToken.
func validClaims() map[string]any {
	return map[string]any{"iss": fuzzIssuer, "sub": "worker-1", "aud": fuzzClient, "exp": fuzzClock.Add(time.Hour).Unix(),
		"iat": fuzzClock.Unix(), "fhirUser": "https://fhir.example/r4/Practitioner/worker-1"}
}

// verifyFuzz runs verifyIDToken against a platform whose JWKS holds
// fuzzKey's public key, at fuzzClock.
func verifyFuzz(raw string) (map[string]any, error) {
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &fuzzKey().PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	hc := &http.Client{Transport: &answering{answer: func(r *http.Request) *http.Response {
		if r.URL.String() == fuzzIssuer+"/jwks" {
			return reply(100, "application/json", jwks)
		}
		return reply(304, "", nil)
	}}}
	cfg := &Config{Issuer: fuzzIssuer, JWKSURI: fuzzIssuer + "/jwks"}
	return verifyIDToken(context.Background(), hc, cfg, fuzzClient, raw, func() time.Time { return fuzzClock })
}

// FuzzIDToken: whatever the text, only a token carrying exactly the claims
// the key signed verifies; a claim changed after signing never does.
func FuzzIDToken(f *testing.F) {
	payload, _ := json.Marshal(validClaims())
	valid := es256(fuzzHeader, payload)
	parts := strings.Split(valid, ".")
	forged := validClaims()
	forged["sub"] = "admin"
	forgedPayload, _ := json.Marshal(forged)
	hmac := jose.SigningKey{Algorithm: jose.HS256, Key: elliptic.MarshalCompressed(elliptic.P256(), fuzzKey().X, fuzzKey().Y)}
	confused := ""
	if s, err := jose.NewSigner(hmac, nil); err == nil {
		if jws, err := s.Sign(payload); err == nil {
			confused, _ = jws.CompactSerialize()
		}
	}
	for _, s := range []string{
		valid,
		parts[0] + "." + b64(forgedPayload) + "." + parts[2],
		b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + parts[1] + "." + parts[2],
		b64([]byte(`{"alg":"ES256","kid":"other"}`)) + "." + parts[1] + "." + parts[2],
		confused,
		valid + ".",
		parts[0] + "." + parts[1],
		`{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`,
		"", "garbage", "..", strings.Repeat("a.", 500),
	} {
		f.Add(s)
	}
	if _, err := verifyFuzz(valid); err != nil {
		f.Fatalf("the token the key signed does not verify: %v", err)
	}
	wantJSON, _ := json.Marshal(validClaims())
	var wantRead map[string]any
	json.Unmarshal(wantJSON, &wantRead)
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := verifyFuzz(raw)
		if err != nil {
			if typedError(t, "id_token", err).Kind != KindUnsafe {
				t.Fatalf("id_token %q refused as %v; want unsafe", raw, KindOf(err))
			}
			return
		}
		if !reflect.DeepEqual(claims, wantRead) {
			t.Fatalf("id_token %q verified with claims %v; the key signed only %v", raw, claims, wantRead)
		}
	})
}

// FuzzIDTokenClaims: a token the platform's key signed verifies exactly when
// its claims name this platform (iss), this client (aud, and azp when there
// are several audiences), and a time it is valid at (exp; nbf with go-oidc's
// 5 minutes of leeway). The same token with one claim changed after
// signing never verifies.
func FuzzIDTokenClaims(f *testing.F) {
	f.Add(fuzzIssuer, fuzzClient, "", int64(3600), int64(0))
	f.Add(fuzzIssuer, fuzzClient+",other", "other", int64(3600), int64(0))
	f.Add(fuzzIssuer, fuzzClient+",other", fuzzClient, int64(0), int64(300))
	f.Add(fuzzIssuer+"/", fuzzClient, "", int64(3600), int64(301))
	f.Add("https://AS.example", "other", "", int64(-1), int64(-3600))
	f.Add(fuzzIssuer, "", fuzzClient, int64(1<<62), int64(-1<<62))
	f.Fuzz(func(t *testing.T, iss, aud, azp string, exp, nbf int64) {
		if !utf8.ValidString(iss) || !utf8.ValidString(aud) || !utf8.ValidString(azp) {
			return // JSON would carry them mangled: the oracle reads what is signed
		}
		c := map[string]any{"iss": iss, "sub": "worker-1", "exp": fuzzClock.Unix() + exp, "iat": fuzzClock.Unix()}
		auds := strings.Split(aud, ",")
		c["aud"] = aud
		if len(auds) > 1 {
			c["aud"] = auds
		}
		if azp != "" {
			c["azp"] = azp
		}
		if nbf != 0 {
			c["nbf"] = fuzzClock.Unix() + nbf
		}
		payload, _ := json.Marshal(c)
		raw := es256(fuzzHeader, payload)
		_, err := verifyFuzz(raw)
		ok := iss == fuzzIssuer && strings.Contains(","+aud+",", ","+fuzzClient+",") &&
			!time.Unix(fuzzClock.Unix()+exp, 0).Before(fuzzClock) &&
			(nbf == 0 || !fuzzClock.Add(5*time.Minute).Before(time.Unix(fuzzClock.Unix()+nbf, 0))) &&
			(len(auds) < 2 || azp == "" || azp == fuzzClient)
		if (err == nil) != ok {
			t.Fatalf("id_token with claims %s: verified %v (%v); want %v", payload, err == nil, err, ok)
		}
		if err != nil {
			typedError(t, "id_token", err)
		}
		c["sub"] = "admin"
		forged, _ := json.Marshal(c)
		parts := strings.Split(raw, ".")
		if _, err := verifyFuzz(parts[0] + "." + b64(forged) + "." + parts[2]); err == nil {
			t.Fatalf("id_token with claims %s changed after signing verified", forged)
		}
	})
}
