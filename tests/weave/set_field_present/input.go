package shop

import (
	"net/http"
	"time"
)

type logged struct{ next http.RoundTripper }

func (l logged) RoundTrip(r *http.Request) (*http.Response, error) { return l.next.RoundTrip(r) }

func NewClient(t time.Duration) *http.Client {
	c := &http.Client{Transport: logged{next: http.DefaultTransport}, Timeout: t}
	return c
}
