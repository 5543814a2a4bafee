package app_test

import (
	"testing"

	"example.com/app"
)

func TestExternal(t *testing.T) {
	if got := app.Greet("external"); got != "HELLO EXTERNAL" {
		t.Fatal(got)
	}
}
