package shop

import "fmt"

func Do() {
	fmt.Println("body")
}
