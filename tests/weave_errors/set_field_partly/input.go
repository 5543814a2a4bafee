package shop

import (
	"net/http"
	"time"
)

func NewClient(t time.Duration) *http.Client {
	return &http.Client{Timeout: t, Transport: nil}
}
