package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

type API struct{ greeting string }

// A method handler.
func (a *API) hello(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s %s", a.greeting, r.PathValue("name"))
}

// A function handler with an unnamed request: named so the advice can use it.
func health(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

// Middleware: its handler literal is advised too (route only; no second span).
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		log.Printf("%s %s %s", r.Method, r.URL.Path, time.Since(start))
	})
}

func main() {
	api := &API{greeting: "hello"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", api.hello)
	mux.HandleFunc("GET /healthz", health)
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "v1")
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(l, logRequests(mux))
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: mux, ReadTimeout: time.Second}
	go srv.ListenAndServe()
	admin := http.Server{Addr: "127.0.0.1:0"}
	go admin.ListenAndServe()
	log.Fatal(http.ListenAndServe("127.0.0.1:0", nil))
}
