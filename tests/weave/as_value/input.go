package shop

import "net/http"

type router struct{}

// Used as values: passed, converted, assigned.
func passed(w http.ResponseWriter, r *http.Request)    {}
func converted(w http.ResponseWriter, r *http.Request) {}
func assigned(w http.ResponseWriter, r *http.Request)  {}

// Only ever called (also deferred): not advised.
func called(w http.ResponseWriter, r *http.Request) {}

func (rt *router) handle(w http.ResponseWriter, r *http.Request) {}

func (rt *router) recv(w http.ResponseWriter, r *http.Request) {}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer rt.recv(w, r)
	called(w, r)
	func(w http.ResponseWriter, r *http.Request) {}(w, r)
}

func Routes(mux *http.ServeMux, rt *router) {
	mux.HandleFunc("/a", passed)
	mux.Handle("/b", http.HandlerFunc(converted))
	var h http.HandlerFunc = assigned
	mux.Handle("/c", h)
	mux.HandleFunc("/d", rt.handle)
	mux.HandleFunc("/e", func(w http.ResponseWriter, r *http.Request) {})
}
