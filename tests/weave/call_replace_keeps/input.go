package shop

import (
	"fmt"
	"strconv"
	"strings"
)

func Calls(n int) {
	_ = strconv.Itoa(len(strings.ToUpper("a")) + n)
	_ = strings.ToLower("B")
	_ = fmt.Sprintln("c", 1)
	fmt.Print(nil...)
}
