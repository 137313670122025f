package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTokensRoundTripReplaceDelete(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	if _, err := db.Tokens(ctx, src); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Tokens before any: %v, want ErrNotFound", err)
	}

	first := Tokens{AccessToken: "at-1", RefreshToken: "rt-1", IDToken: "id-1", Scope: "user/Task.rw",
		Expiry: time.Date(2025, 3, 4, 10, 0, 0, 500, time.UTC)}
	if err := db.SaveTokens(ctx, src, first); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Tokens(ctx, src); err != nil || got != first {
		t.Fatalf("Tokens = %+v, %v; want %+v", got, err, first)
	}

	second := Tokens{AccessToken: "at-2", RefreshToken: "rt-2", Scope: "user/Task.r"} // no id token, no expiry
	if err := db.SaveTokens(ctx, src, second); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Tokens(ctx, src); err != nil || got != second {
		t.Fatalf("after replace Tokens = %+v, %v; want %+v", got, err, second)
	}
	if n := count(t, db, `SELECT count(*) FROM tokens`); n != 1 {
		t.Fatalf("%d token rows, want 1", n)
	}

	if err := db.DeleteTokens(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Tokens(ctx, src); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Tokens after delete: %v, want ErrNotFound", err)
	}
	if err := db.DeleteTokens(ctx, src); err != nil {
		t.Fatalf("DeleteTokens of none: %v", err)
	}
}

func TestSaveTokensOfMissingSource(t *testing.T) {
	db := openTest(t)
	if err := db.SaveTokens(context.Background(), 42, Tokens{AccessToken: "a"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SaveTokens of a missing source: %v, want ErrNotFound", err)
	}
}
