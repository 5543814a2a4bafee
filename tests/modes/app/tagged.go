//go:build foo

package app

// Variant is compiled with -tags=foo only.
func Variant() string { return "tagged" }
