package shop

import (
	"io"
	"net/http"
)

func Proxy(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("http://backend/" + r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// Unnamed request: no context to take from it.
func Ping(http.ResponseWriter, *http.Request) {
	http.Get("http://backend/ping")
}
