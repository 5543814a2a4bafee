// Package hello is the helper the pack's advice calls.
package hello

import "fmt"

// Say prints which function the advice ran in.
func Say(fn string) {
	fmt.Println("pack advice v1 ran in", fn)
}
