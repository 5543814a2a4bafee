package shop

import "context"

var tracer = newTracer()

func Ping(_ context.Context) error {
	return nil
}
