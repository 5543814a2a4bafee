package main

import (
	"context"
	"fmt"
	"log"
	"os"
)

// serve is not main: untouched.
func serve(ctx context.Context) error { return ctx.Err() }

// fail exits without running main's deferred calls: spans are flushed first.
func fail(err error) {
	if os.Getenv("STRICT") != "" {
		log.Fatalf("serve: %v", err)
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if err := serve(context.Background()); err != nil {
		fail(err)
	}
	if len(os.Args) > 1 {
		log.Fatal("unexpected arguments: ", os.Args[1:])
	}
}
