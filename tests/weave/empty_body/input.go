package shop

import "context"

var tracer = newTracer()

func Nop(ctx context.Context) {}
