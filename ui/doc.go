// Package ui is Referral Desk's desktop window: Fyne screens and widgets
// only. Every read and command goes through package app; every app call runs
// off the UI goroutine and its result comes back through the dispatcher
// (fyne.Do).
//
// It must not know storage, FHIR or HTTP, and it never words an error
// itself: app.Explain does. ui/cli is the command line over the same app;
// ui/scan reads QR codes from cameras and pictures.
package ui
