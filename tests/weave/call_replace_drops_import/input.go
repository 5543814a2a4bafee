package shop

import "strconv"

func Label(n int) string {
	return strconv.Itoa(n)
}

func Quoted(s string) string {
	return strconv.Quote(s)
}
