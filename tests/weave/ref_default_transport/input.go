package shop

import "net/http"

var base http.RoundTripper = http.DefaultTransport

func Tune() {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t.MaxIdleConns = 10
	}
	saved := &http.DefaultTransport
	http.DefaultTransport = base
	_ = saved
}

func Client() *http.Client {
	return &http.Client{Transport: http.DefaultTransport}
}

func Send(req *http.Request) (*http.Response, error) {
	return http.DefaultTransport.RoundTrip(req)
}
