package shop

import "net/http"

func Fetch() {
	resp, err := http.Get("https://example.com")
	_, _ = resp, err
}
