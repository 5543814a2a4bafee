package p

import (
	. "net/http"
	"fmt"
)

func Local() {}

func Handler(w ResponseWriter, r *Request) {
	Get("http://example.com")
	fmt.Println(StatusOK)
	Local()
	Helper()
	Get := func(string) {}
	Get("shadowed")
	_ = Client{}
	println("builtin")
}

func Helper() {}
