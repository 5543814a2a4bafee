package shop

import (
	"context"
	"net/http"
)

func FetchAll(ctx context.Context, urls []string) {
	done := make(chan struct{})
	for _, u := range urls {
		go func(u string) {
			defer func() { done <- struct{}{} }()
			func() {
				http.Get(u)
			}()
		}(u)
	}
	for range urls {
		<-done
	}
}

func Serve(ctx context.Context) {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Get("http://inner")
	})
}
