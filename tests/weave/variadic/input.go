package shop

import "context"

var tracer = newTracer()

func Log(ctx context.Context, format string, args ...any) {
	_ = args
}
