package main

import (
	"fmt"

	"example.com/app"
	"example.com/app/sub"
)

func main() {
	fmt.Println(app.Greet("x"), sub.Sub(), app.Variant())
}
