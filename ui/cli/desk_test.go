package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

// connected is a new data folder connected to p and synced with it.
func connected(t *testing.T, p *fhirtest.Server) cli.Env {
	t.Helper()
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	for _, args := range [][]string{{"connect", p.FHIRBase()}, {"sync"}} {
		if code, out, errOut := run(t, env, args...); code != 0 {
			t.Fatalf("%v: exit %d, out %q, err %q", args, code, out, errOut)
		}
	}
	return env
}

// platformCopy is the platform's own copy of typ/id, decoded.
func platformCopy(t *testing.T, p *fhirtest.Server, typ, id string) map[string]any {
	t.Helper()
	raw, ok := p.Resource(typ, id)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); !ok || err != nil {
		t.Fatalf("the platform has no readable %s/%s (%v)", typ, id, err)
	}
	return m
}

// fmtJSON is v as JSON, for looking for codes in it.
func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
