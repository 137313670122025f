# Referral Desk. `make run` starts the app with the built-in demo referral
# platform; `make test` runs every check CI runs. Both install the Debian/Ubuntu
# packages they need first (with sudo when not root).

GO       ?= go
TAGS     := migrated_fynedo
BIN      := build/referraldesk
# Fyne's GLFW/OpenGL build (cgo) on Linux.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
# The sign-in tests drive a real browser; the keyring test a real Secret
# Service (gnome-keyring) in a D-Bus session of its own.
# Then the installers are built and checked (make dist-check).
TEST_PKGS   = $(sort $(BUILD_PKGS) chromium gnome-keyring dbus-daemon $(DIST_PKGS) $(CHECK_PKGS))

# The UI tests run again on these days (Mondays, like the default 2 Nov 2026)
# to show that no screen depends on the date: other digit widths and month
# names, the first day of a year, the last of a short February.
GOLDEN_DAYS := 2029-01-01 2028-02-28

# Screenshots: the real window under a virtual X server.
SHOT_PKGS  := $(BUILD_PKGS) xvfb xauth imagemagick x11-apps xdotool
SHOTS      := build/screenshots

.PHONY: run build test bench chaos screenshots deps-run deps-test deps-shots check-go

run: deps-run build
	$(BIN) demo

build: check-go
	$(GO) build -tags $(TAGS) -o $(BIN) .

test: deps-test check-go
	@echo "== gofmt"; out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	@echo "== go mod tidy"; out=$$($(GO) mod tidy -diff) || { echo "go.mod/go.sum are not tidy: run go mod tidy"; echo "$$out"; exit 1; }
	@echo "== go vet"; $(GO) vet -tags $(TAGS) ./... && $(GO) vet -tags "$(TAGS) screenshots" . ./ui/
	@echo "== go test -race"; $(GO) test -tags $(TAGS) -race -count=1 -timeout 30m ./...
	@for day in $(GOLDEN_DAYS); do echo "== UI goldens on $$day"; \
	  $(GO) test -tags $(TAGS) -count=1 ./ui/ -args -today=$$day || exit 1; done
	@echo "== system keyring (Secret Service)"; GO=$(GO) TAGS=$(TAGS) dbus-run-session -- sh .ci/keyring-test
	@echo "== fuzz (3 s per target)"; GO=$(GO) TAGS=$(TAGS) sh .ci/fuzz 3
	@echo "== installers (make dist, make dist-check)"; GO=$(GO) TAGS=$(TAGS) sh .ci/dist && sh .ci/dist-check

bench: check-go
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

# What make test runs short, run long: the crash suites with at least 100
# kill -9s each, a 10-minute soak against a platform failing 2 % of its
# requests, and every fuzz target for a minute. Each prints its figures.
chaos: check-go
	@echo "== crash suites (100 kills each)"; GO=$(GO) bash .ci/chaos
	@echo "== soak (10 minutes)"; REFERRALDESK_SOAK=10m $(GO) test -tags $(TAGS) -count=1 -timeout 20m -v -run '^TestSoak$$' ./app/ | grep -E 'minute|end:|accepts|^(---|ok|FAIL)'
	@echo "== fuzz (60 s per target)"; GO=$(GO) TAGS=$(TAGS) sh .ci/fuzz 60

# The demo window driven through the issue's screens (welcome, connect, inbox,
# referral, do-not-contact, actions, sync states) at 100 % and 150 % scale,
# each PNG 1366×768, against the built-in platform.
# The driver is compiled in only with -tags screenshots, never in a release.
screenshots: deps-shots check-go
	$(GO) build -tags "$(TAGS) screenshots" -o $(BIN)-screenshots .
	@rm -rf $(SHOTS) && mkdir -p $(SHOTS)
	xvfb-run -a -s "-screen 0 1920x1080x24" env FYNE_SCALE=1 $(BIN)-screenshots --screenshots $(SHOTS)
	xvfb-run -a -s "-screen 0 1920x1080x24" env FYNE_SCALE=1.5 $(BIN)-screenshots --screenshots $(SHOTS)
	@ls $(SHOTS)

deps-shots:
	@PKGS="$(SHOT_PKGS)" sh .ci/install-packages
deps-run:
	@PKGS="$(BUILD_PKGS)" sh .ci/install-packages
deps-test:
	@PKGS="$(TEST_PKGS)" sh .ci/install-packages

check-go:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: install Go 1.26 or newer (https://go.dev/dl/) and run make again."; exit 1; }

# Windows cross-build with Debian's MinGW. It proves the whole app, camera
# code included, compiles for Windows. g++ is needed as well as gcc: the
# DirectShow camera driver (pion/mediadevices) is C++. The first run compiles
# Fyne's GL for Windows cold (several minutes); keep the build cache warm.
WIN_PKGS := gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64
WIN_ENV  := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++

.PHONY: windows deps-windows
windows: deps-windows check-go
	$(WIN_ENV) $(GO) build -tags $(TAGS) -o $(BIN).exe .

deps-windows:
	@PKGS="$(WIN_PKGS)" sh .ci/install-packages

# Installers into build/dist/ (.ci/dist): a .deb and an .rpm (nfpm, run with
# go run at a fixed version), and a Windows installer (NSIS) around the
# cross-compiled binary with its icon and version information. The version
# is FyneApp.toml's. Release builds are stripped and -trimpath, which
# compiles Fyne's GL once more per platform (cold: several minutes each).
# make dist-check installs the .deb here (root, or sudo), checks it and the
# Windows installer, opens a referraldesk link in the installed app under
# Xvfb, and removes the package (.ci/dist-check).
DIST_PKGS  := $(BUILD_PKGS) $(WIN_PKGS) imagemagick nsis
CHECK_PKGS := desktop-file-utils appstream xdg-utils xvfb xauth xdotool imagemagick file procps

.PHONY: dist dist-check deps-dist deps-dist-check
dist: deps-dist check-go
	GO=$(GO) TAGS=$(TAGS) sh .ci/dist

dist-check: dist deps-dist-check
	sh .ci/dist-check

deps-dist:
	@PKGS="$(DIST_PKGS)" sh .ci/install-packages
deps-dist-check:
	@PKGS="$(CHECK_PKGS)" sh .ci/install-packages
