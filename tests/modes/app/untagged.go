//go:build !foo

package app

// Variant is compiled without -tags=foo.
func Variant() string { return "untagged" }
