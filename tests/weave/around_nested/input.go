package shop

import "net/http"

func Risky(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("boom") {
		panic("boom")
	}
	w.WriteHeader(http.StatusOK)
}
