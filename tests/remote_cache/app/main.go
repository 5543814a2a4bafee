// A small program for tests/remote_cache.rs: two checkouts of it in
// different directories share one remote Go build cache.
package main

import (
	"os"
	"strings"
)

func greet(name string) string {
	return "hello, " + strings.ToUpper(name)
}

func main() {
	os.Stdout.WriteString(greet("cache") + "\n")
}
