package sub_test

import (
	"testing"

	"example.com/app/sub"
)

func TestSubExternal(t *testing.T) {
	if sub.Sub() != "sub" {
		t.Fatal("sub")
	}
}
