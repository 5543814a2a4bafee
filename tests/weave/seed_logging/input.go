package shop

import "log"

func Add(a, b int) int {
	return a + b
}
