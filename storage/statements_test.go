package storage

import (
	"context"
	"fmt"
	"testing"
)

// Statements are kept up to the bound; past it, queries still run, prepared
// for the one use.
func TestStatementsKeptUpToTheBound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for i := range maxStatements + 6 {
		var n int
		if err := db.queryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: got %d, %v", i, n, err)
		}
	}
	if got := len(db.statements.m); got != maxStatements {
		t.Fatalf("%d statements kept, want the bound %d", got, maxStatements)
	}
	st, err := db.stmt(ctx, "SELECT 'one more'")
	if st != nil || err != nil {
		t.Fatalf("past the bound stmt = %v, %v; want none kept", st, err)
	}
}

// A kept statement serves one transaction after another.
func TestStatementKeptAcrossTransactions(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	for p := range 2 {
		res, refs := benchPage(p, 3)
		if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := db.statements.m[upsertResourcesSQL(3)]; !ok {
		t.Fatal("the resource upsert of a sync page is not kept")
	}
	if n := count(t, db, `SELECT count(*) FROM resources`); n != 6 {
		t.Fatalf("%d resources stored, want 6", n)
	}
}
