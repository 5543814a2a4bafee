package p

import "fmt"

func Logf(format string, args ...any) { fmt.Printf(format, args...) }

func Unnamed(...string) {}

func Sum(base int, xs ...int) (total int) {
	fmt.Println(base, xs)
	return Sum(base, xs...)
}
