package app

import "context"

var tracer Tracer

func Fetch(ctx context.Context, url string) ([]byte, error) {
	return nil, nil
}
