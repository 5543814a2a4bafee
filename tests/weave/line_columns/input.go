package shop

import "fmt"

func Run(n int) {
	s := fmt.Sprint("n=", n)
	fmt.Println(s)
}
