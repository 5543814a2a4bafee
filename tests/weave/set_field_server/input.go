package main

import (
	"log"
	"net/http"
)

func main() {
	mux := http.NewServeMux()
	api := &http.Server{Addr: ":8080", Handler: mux}
	admin := http.Server{Addr: ":9090"}
	go func() { log.Fatal(admin.ListenAndServe()) }()
	log.Fatal(api.ListenAndServe())
}
