package shop

import "net/http"

func Run() {
	f := func() {}
	f()
	_ = http.ListenAndServe(":1", nil)
	_ = http.ListenAndServe(":2", nil)
}

func Serve() {
	println("serve")
}
