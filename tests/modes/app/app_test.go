package app

import "testing"

// helper is in a test file: `trace` selects it, but test files are only
// woven by aspects with `tests: true`.
func helper() string { return Greet("internal") }

func TestGreet(t *testing.T) {
	if got := helper(); got != "HELLO INTERNAL" {
		t.Fatal(got)
	}
}
