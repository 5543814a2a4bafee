package shop

import "net/http"

var Default = &http.Client{}

func Plain() http.Client {
	return http.Client{}
}

func Lines() *http.Client {
	return &http.Client{
	}
}
