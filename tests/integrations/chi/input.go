package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

func main() {
	r := chi.NewRouter()
	r.Mount("/api", chi.NewMux())
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(chi.URLParam(r, "id"))) })
	_ = http.ListenAndServe("127.0.0.1:8080", r)
}
