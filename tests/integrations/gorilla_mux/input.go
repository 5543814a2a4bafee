package main

import (
	"net/http"

	"github.com/gorilla/mux"
)

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(mux.Vars(r)["id"])) })
	_ = http.ListenAndServe("127.0.0.1:8080", r)
}
