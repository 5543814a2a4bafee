package shop

import (
	"fmt"
	"strings"
)

func Thrice(s string) string {
	return strings.ToUpper(strings.ToUpper(strings.ToUpper(s)))
}

func Inside(s string) string {
	return strings.ToUpper(func() string { return strings.ToUpper(s) }())
}

func Dropped(s string) string {
	return fmt.Sprint(strings.ToUpper(s))
}
