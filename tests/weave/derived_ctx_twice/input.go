package shop

import "net/http"

func Handle(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(200)
}
