package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/ui/cli"
)

func TestDemoPlatformFaults(t *testing.T) {
	code, out, errOut := run(t, cli.Env{}, "demo-platform", "--faults", "help")
	if code != 0 || !strings.Contains(out, "retry-after-date") || errOut != "" {
		t.Errorf("demo-platform --faults help: exit %d, out %q, err %q; want the faults it takes", code, out, errOut)
	}
	code, out, errOut = run(t, cli.Env{}, "demo-platform", "--faults", "lag=1s")
	if code == 0 || out != "" || !strings.Contains(errOut, `--faults: no fault is called "lag"`) {
		t.Errorf("demo-platform --faults lag=1s: exit %d, out %q, err %q; want the fault refused by name", code, out, errOut)
	}
}
