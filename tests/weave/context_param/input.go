package shop

import (
	"context"
	"net/http"
)

func Fetch(reqCtx context.Context, url string) (*http.Response, error) {
	return http.Get(url)
}

// A request and a context: the context parameter wins.
func Both(w http.ResponseWriter, r *http.Request, ctx context.Context) {
	http.Get("http://a")
}

// A blank context parameter cannot be used: the request's is.
func Blank(_ context.Context, r *http.Request) {
	http.Get("http://b")
}
