package main

import (
	"fmt"
	"net/http"
)

var handler = func(w http.ResponseWriter, r *http.Request) {}

var other = func() int { return 1 }

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		inner := func(s string) error {
			deepest := func() {}
			deepest()
			return nil
		}
		_ = inner
	})
	go func() {
		fmt.Println("second")
	}()
	defer func() {}()
}

type S struct{}

func (s *S) Push() {
	f := func(x int) (int, error) { return x, nil }
	_ = f
}

func init() {
	_ = func() {}
}
