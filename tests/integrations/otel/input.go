package main

import (
	"context"
	"fmt"
)

// serve is not main: untouched.
func serve(ctx context.Context) error { return ctx.Err() }

func main() {
	if err := serve(context.Background()); err != nil {
		fmt.Println(err)
	}
}
