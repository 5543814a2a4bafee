package app

import "context"

var tracer Tracer

func Handle(ctx context.Context) error {
	return nil
}

func Ping(ctx context.Context) {
}
