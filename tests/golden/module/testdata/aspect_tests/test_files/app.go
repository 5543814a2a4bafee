package app

import "context"

var tracer Tracer

func Serve(ctx context.Context) error {
	return nil
}
