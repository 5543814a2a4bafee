package shop

import (
	"fmt"
	"net/http"
)

func routes(mux *http.ServeMux) {
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "orders for %s\n", r.URL.Query().Get("user"))
	})
}
