package main

import (
	"fmt"
	"strconv"
)

// Parse assigns its result err with `:=` at its top level: inside the
// `block` aspect's `{ … }` that would declare a new err (and the bare
// return would not compile), so the aspect skips Parse.
func Parse(s string) (n int, err error) {
	v, err := strconv.Atoi(s)
	n = v * 2
	return
}

// Sum declares nothing of its signature: advised.
func Sum(a, b int) (total int) {
	total = a + b
	return
}

func blocks() {
	n, err := Parse("21")
	fmt.Println("parse", n, err)
	fmt.Println("sum", Sum(1, 2))
}
