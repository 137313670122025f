package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan/scantest"
)

func TestShowQRRoundTrip(t *testing.T) {
	for _, text := range []string{link, strings.Repeat("https://r.example/fhir?iss=x&name=Ünïcødé ", 20)} {
		data, err := QRPNG(text, 512)
		if err != nil {
			t.Fatal(err)
		}
		img, err := ReadImage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := DecodeImage(img)
		if err != nil || r.Text != text {
			t.Fatalf("generated %q, read back %q (%v)", text, r.Text, err)
		}
	}
}

// Every image type the image paths meet reads the same code.
func TestDecodeImageTypes(t *testing.T) {
	gray := scantest.Code(link, 5, 0)
	rgba := image.NewRGBA(gray.Rect)
	draw.Draw(rgba, rgba.Rect, gray, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	ycc, err := ReadImage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// a sub-image whose plane starts mid-buffer with a stride wider than it
	padded := image.NewGray(image.Rect(0, 0, gray.Rect.Dx()+100, gray.Rect.Dy()+50))
	draw.Draw(padded, padded.Rect, image.NewUniform(color.Gray{120}), image.Point{}, draw.Src)
	draw.Draw(padded, gray.Rect.Add(image.Pt(60, 30)), gray, image.Point{}, draw.Src)
	sub := padded.SubImage(gray.Rect.Add(image.Pt(60, 30)))
	for name, img := range map[string]image.Image{"gray": gray, "rgba": rgba, "jpeg": ycc, "sub-image": sub} {
		if r, _, err := DecodeImage(img); err != nil || r.Text != link {
			t.Errorf("%s: got %q, %v", name, r.Text, err)
		}
	}
	if _, ok := ycc.(*image.YCbCr); !ok {
		t.Errorf("a JPEG decodes to %T; the no-copy path expects *image.YCbCr", ycc)
	}
}

func TestLuminanceIsNotCopied(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 64, 48))
	if p := lumaOf(g); &p.pix[0] != &g.Pix[0] || p.converted {
		t.Error("a gray frame's pixels were copied")
	}
	y := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	if p := lumaOf(y); &p.pix[0] != &y.Y[0] || p.converted {
		t.Error("a YCbCr frame's Y plane was copied")
	}
}

func TestHints(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		want Hint
	}{
		{"code too small", scantest.Code(link, 1.8, 0.6), HintTooSmall},
		{"code out of focus", scantest.Code(link, 7, 5), HintBlurry},
		{"nothing there", image.NewGray(image.Rect(0, 0, 1280, 720)), HintDark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder() // the first frame strategy, as the preview's first frame
			if _, ok := d.Frame(tt.img); ok {
				t.Fatal("decoded; the test frame should not be readable")
			}
			if d.Hint() != tt.want {
				t.Fatalf("hint %v (%q), want %v", d.Hint(), d.Hint().Say(), tt.want)
			}
		})
	}
}

func TestReadImageRefusesHugeDimensions(t *testing.T) {
	// A PNG header claiming 100 000 × 100 000 pixels.
	chunk := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00")
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	buf.Write(chunk)
	binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	if _, err := ReadImage(&buf); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("got %v, want a refusal for its size", err)
	}
}

func TestYUYVFrame(t *testing.T) {
	b := []byte{10, 100, 20, 200, 30, 101, 40, 201} // 4×1: Y0 U Y1 V Y2 U Y3 V
	img, ok := yuyvFrame(b, 4, 1)
	if !ok || !bytes.Equal(img.Y[:4], []byte{10, 20, 30, 40}) || !bytes.Equal(img.Cb[:2], []byte{100, 101}) || !bytes.Equal(img.Cr[:2], []byte{200, 201}) {
		t.Fatalf("got Y %v Cb %v Cr %v", img.Y, img.Cb, img.Cr)
	}
	if _, ok := yuyvFrame(b, 4, 2); ok {
		t.Fatal("accepted a buffer shorter than the frame")
	}
}

func TestCopyFrameOwnsItsPixels(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 4, 2), image.YCbCrSubsampleRatio422)
	src.Y[0], src.Cb[0] = 50, 60
	c := copyFrame(src).(*image.YCbCr)
	src.Y[0], src.Cb[0] = 0, 0
	if c.Y[0] != 50 || c.Cb[0] != 60 {
		t.Fatal("the copy changed with the driver's buffer")
	}
}

func TestNoCameraSupportSaysSo(t *testing.T) {
	if CameraSupported() {
		t.Skip("this build has camera support")
	}
	if _, err := OpenCamera(context.Background(), ""); KindOf(err) != KindUnsupported {
		t.Fatalf("got %v", err)
	}
}

func TestCameraErrorsAreSentences(t *testing.T) {
	for k, want := range map[Kind]string{
		KindNoCamera: "No camera was found", KindInUse: "another program", KindPermission: "not allowed",
		KindUnsupported: "cannot use a camera", KindOther: "The camera stopped working.",
		KindNotImage: "this is not a PNG, JPEG or GIF image", KindImageDamaged: "this image is damaged",
	} {
		err := &Error{Kind: k, Err: errors.New("VIDIOC_STREAMON: input/output error")}
		if got := app.Explain(ForApp(err)); !strings.Contains(got, want) || strings.Contains(got, "VIDIOC") {
			t.Errorf("kind %d says %q", k, got)
		}
	}
}
