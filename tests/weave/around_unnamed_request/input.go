package shop

import "net/http"

// A blank request parameter gets a name the closure can take.
func Health(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

// All unnamed, and an empty body.
func Ping(http.ResponseWriter, *http.Request) {}
