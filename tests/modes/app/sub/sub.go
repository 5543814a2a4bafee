// Package sub is a subpackage with internal and external tests.
package sub

// Sub is woven by `trace`.
func Sub() string { return "sub" }
