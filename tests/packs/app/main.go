package main

import "fmt"

// Work is woven by the pack too.
func Work() int {
	return 42
}

func main() {
	fmt.Println("work:", Work())
}
