// Package assets holds Referral Desk's bundled resources, compiled into the binary.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon (an inbox tray receiving a referral), also named in FyneApp.toml.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
