package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Nested advised calls are each advised, the inner one first; a spread
// operand that is a call runs once.
func calls() {
	fmt.Println("nested", strings.ToUpper(strings.ToUpper("in")+"-out"))
	errs := []error{io.EOF}
	fmt.Println("joined", errors.Join(errs...))
	fmt.Println("joined once", errors.Join(someErrors()...))
}

func someErrors() []error {
	fmt.Println("someErrors ran")
	return []error{io.ErrUnexpectedEOF}
}
