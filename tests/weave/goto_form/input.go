package shop

import "errors"

// Walk has a literal of its own (with one inside).
func Walk(xs []int) {
	each := func(x int) {
		show := func() { println(x) }
		show()
	}
	for _, x := range xs {
		each(x)
	}
}

// Count has results: no return after the block.
func Count(xs []int) (n int, err error) {
	add := func() { n++ }
	for range xs {
		add()
	}
	return n, nil
}

// Redeclares assigns its named result `err` with `:=` at its top level.
func Redeclares() (err error) {
	check := func() error { return errors.New("x") }
	v, err := 1, check()
	_ = v
	return
}

// Plain has no literal: the advice goes first, as usual.
func Plain() {
	println("plain")
}

// Fails ends in a panic: no unreachable `return` after its block.
func Fails(xs []int) {
	check := func() bool { return len(xs) > 0 }
	if check() {
		return
	}
	panic("empty")
}
