// A tiny service with no tracing code: `goaop init` + one build must trace it.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func hello(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "hello %s", r.PathValue("name"))
}

// fetch calls the service like any client would.
func fetch(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", hello)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The handler is assigned after the literal: no entry point goaop wraps
	// serves it, so the handler starts the server span itself.
	srv := &http.Server{ReadHeaderTimeout: time.Second}
	srv.Handler = mux
	go func() { _ = srv.Serve(listener) }()
	body, err := fetch(context.Background(), "http://"+listener.Addr().String()+"/hello/gopher")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, body)
	// os.Exit skips deferred calls: the woven program flushes its spans first.
	os.Exit(0)
}
