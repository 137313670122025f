package cli_test

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/auth/authtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/fixtures"
	"github.com/referraldesk/referraldesk/ui/cli"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// writeQR writes text as a QR code PNG and returns its path.
func writeQR(t *testing.T, dir, name, text string) string {
	t.Helper()
	data, err := scan.QRPNG(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDecodeQR(t *testing.T) {
	dir := t.TempDir()
	link := "https://referrals.example.org/fhir?iss=https%3A%2F%2Freferrals.example.org%2Ffhir&name=Eastside"
	tricky := "line one\n\u202eevil"
	withCode := writeQR(t, dir, "link.png", link)
	trickyCode := writeQR(t, dir, "tricky.png", tricky)
	blank := filepath.Join(dir, "blank.png")
	f, err := os.Create(blank)
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(f, image.NewGray(image.Rect(0, 0, 320, 240)))
	f.Close()

	code, out, _ := run(t, cli.Env{}, "decode-qr", withCode, trickyCode, blank)
	if code == 0 {
		t.Error("exit 0 although one file had no code")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per file, got:\n%s", out)
	}
	for i, want := range []struct{ file, status, text string }{
		{withCode, "ok", link}, {trickyCode, "ok", tricky}, {blank, "none", ""},
	} {
		fields := strings.Split(lines[i], "\t")
		if len(fields) != 4 || fields[0] != want.file || fields[1] != want.status || fields[2] != strconv.Quote(want.text) {
			t.Errorf("line %d = %q; want %s, %s, %s", i, lines[i], want.file, want.status, strconv.Quote(want.text))
			continue
		}
		if ms, err := strconv.ParseFloat(fields[3], 64); err != nil || ms < 0 {
			t.Errorf("line %d: milliseconds %q", i, fields[3])
		}
	}
}

func TestDecodeQRFixturePhoto(t *testing.T) {
	dir := fixtures.Dir(t, "qr-photos/qrcode-1")
	want, err := os.ReadFile(filepath.Join(dir, "1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "1.png")
	code, out, errOut := run(t, cli.Env{}, "decode-qr", photo)
	fields := strings.Split(strings.TrimSpace(out), "\t")
	if code != 0 || len(fields) != 4 || fields[1] != "ok" || fields[2] != strconv.Quote(string(want)) {
		t.Fatalf("exit %d, out %q, err %q; want ok %q", code, out, errOut, want)
	}
}

func TestConnectFromQRImage(t *testing.T) {
	platform := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	browser := authtest.NewBrowser(t)
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: browser.SignIn(fhirtest.DemoUser, fhirtest.DemoPassword)}
	link, err := app.ConnectionLink(app.Source{FHIRBase: platform.FHIRBase(), Name: "Demo from a QR code"})
	if err != nil {
		t.Fatal(err)
	}
	qr := writeQR(t, t.TempDir(), "platform.png", link)

	code, out, errOut := run(t, env, "connect", "--qr-image", qr)
	if code != 0 || strings.TrimSpace(out) != "1" {
		t.Fatalf("connect --qr-image: exit %d, out %q, err %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "The QR code leads to 127.0.0.1") {
		t.Errorf("connect did not say where the code leads: %q", errOut)
	}
	if code, out, _ = run(t, env, "sources"); code != 0 || !strings.Contains(out, "Demo from a QR code") {
		t.Errorf("sources after connecting from a QR code: exit %d:\n%s", code, out)
	}
}

func TestConnectFromHostileQRImageOpensNothing(t *testing.T) {
	opened := false
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: func(string) error { opened = true; return nil }}
	dir := t.TempDir()
	for text, say := range map[string]string{
		"javascript:alert(1)":                          "not a web link",
		"https://pаypal.example/fhir":                  "mixes alphabets",
		"shlink:/eyJ1cmwiOiJodHRwczovL3guZXhhbXBsZSJ9": "personal health record",
	} {
		qr := writeQR(t, dir, "hostile.png", text)
		code, _, errOut := run(t, env, "connect", "--qr-image", qr)
		if code == 0 || !strings.Contains(errOut, say) {
			t.Errorf("%q: exit %d, stderr %q; want a refusal saying %q", text, code, errOut, say)
		}
	}
	if opened {
		t.Fatal("a browser was opened for a refused link")
	}
}
