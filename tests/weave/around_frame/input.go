package shop

import (
	"runtime"
	"testing"
)

func Recovers() {
	if r := recover(); r != nil {
		println(r)
	}
}

func Helps(t *testing.T) {
	t.Helper()
}

func Caller() {
	_, _, _, _ = runtime.Caller(1)
}

func Literals() {
	f := func() {}
	f()
}

func Results() int {
	return 1
}

func Fine() {
	println("fine")
}
