// Package otelhttp stands in for the OpenTelemetry net/http
// instrumentation: the same signatures, no telemetry.
package otelhttp

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Option configures the instrumentation.
type Option interface{ apply() }

// Transport is an http.RoundTripper that would record client spans.
type Transport struct{ base http.RoundTripper }

// NewTransport wraps base (http.DefaultTransport when nil).
func NewTransport(base http.RoundTripper, opts ...Option) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{base: base}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) { return t.base.RoundTrip(r) }

// NewHandler wraps handler, naming its spans operation.
func NewHandler(handler http.Handler, operation string, opts ...Option) http.Handler {
	return handler
}

var client = &http.Client{Transport: NewTransport(nil)}

// Get is http.Get with a context.
func Get(ctx context.Context, targetURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, targetURL, nil)
	if err != nil {
		return nil, err
	}
	return client.Do(req)
}

// Head is http.Head with a context.
func Head(ctx context.Context, targetURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, targetURL, nil)
	if err != nil {
		return nil, err
	}
	return client.Do(req)
}

// Post is http.Post with a context.
func Post(ctx context.Context, targetURL, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, targetURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return client.Do(req)
}

// PostForm is http.PostForm with a context.
func PostForm(ctx context.Context, targetURL string, data url.Values) (*http.Response, error) {
	return Post(ctx, targetURL, "application/x-www-form-urlencoded", strings.NewReader(data.Encode()))
}

// Labeler holds the attributes of the current request's server span.
type Labeler struct{}

type labelerKey struct{}

// LabelerFromContext returns the Labeler of an instrumented request, and
// whether there was one (i.e. whether a handler already traces it).
func LabelerFromContext(ctx context.Context) (*Labeler, bool) {
	l, ok := ctx.Value(labelerKey{}).(*Labeler)
	if !ok {
		return &Labeler{}, false
	}
	return l, true
}
