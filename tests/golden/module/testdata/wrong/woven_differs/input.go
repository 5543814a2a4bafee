package app

import "context"

var tracer Tracer

func Handle(ctx context.Context) error {
	return nil
}
