package shop

import "context"

var tracer = newTracer()

func WithContext(x int) int { return x }

var _ context.Context
