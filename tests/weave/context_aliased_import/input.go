package main

import (
	stdctx "context"
	"fmt"
	"net/http"
)

var parent = stdctx.TODO()

func main() {
	resp, err := http.Get("https://example.com")
	fmt.Println(resp, err, parent)
}
