package shop

import (
	"net/http"
	"time"
)

type Service struct {
	Name   string
	Client *http.Client
}

func New(name string) Service {
	return Service{
		Name: name,
		Client: &http.Client{
			Timeout: 10 * time.Second, // generous
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}

func Many() []*http.Client {
	return []*http.Client{{Timeout: time.Second}, &http.Client{Timeout: 2 * time.Second}}
}
