package shop

import "fmt"

type holder struct{ xs []any }

func values() []any { return []any{1} }

func Calls(h holder, xs []any) {
	_ = fmt.Sprint(1)
	_ = fmt.Sprintf("x")
	_ = fmt.Sprintln("y")
	fmt.Print(xs...)
	fmt.Print(h.xs...)
	fmt.Print(values()...)
	fmt.Print(fmt.Sprint(2), xs)
}
