package p

import "net/http"

func Good(w http.ResponseWriter) {
	http.Get("ok")
}

func Broken(x int {
	http.Get("inside broken")
	if x > {
}

func AfterBroken() error { return nil }
