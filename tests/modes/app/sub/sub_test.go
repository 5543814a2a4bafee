package sub

import "testing"

func TestSub(t *testing.T) {
	if Sub() != "sub" {
		t.Fatal("sub")
	}
}
