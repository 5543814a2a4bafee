package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Inside a function with a context: it becomes the request's context.
func fetch(ctx context.Context, u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Inside a handler: the incoming request's context (same trace).
func proxy(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Post("http://inventory/reserve", "text/plain", strings.NewReader("book"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

// With the default client: a traced copy of it.
func fetchWith(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

var client = &http.Client{Timeout: 2 * time.Second}

var direct = http.Client{Transport: http.DefaultTransport}

func main() {
	if _, err := http.Head("http://example.com/"); err != nil {
		log.Print(err)
	}
	if _, err := http.PostForm("http://example.com/form", url.Values{"q": {"go"}}); err != nil {
		log.Print(err)
	}
	http.DefaultClient.Timeout = 5 * time.Second
	rt := http.DefaultTransport
	clone := http.DefaultTransport.(*http.Transport).Clone()
	http.DefaultTransport = clone
	_, _, _ = rt, client, direct
	_, _ = fetch(context.Background(), "http://example.com/")
	_, _ = fetchWith(context.Background(), "http://example.com/")
}
