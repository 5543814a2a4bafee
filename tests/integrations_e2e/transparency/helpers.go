package main

import "testing"

// checkEqual is a test helper: failures are reported at its caller's line.
func checkEqual(t testing.TB, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("got %d, want %d", got, want)
	}
}
