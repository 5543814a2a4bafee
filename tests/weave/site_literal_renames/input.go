package shop

import "os"

func First() {
	_, _ = os.ReadFile("a")
	f := func() {
		_, _ = os.Open("b")
	}
	f()
}

func Last() {
	f := func() {}
	f()
	_, _ = os.ReadFile("c")
}
