package shop

import "net/http"

func Index(w http.ResponseWriter, req *http.Request) {
	w.Write([]byte(req.URL.Path))
}
