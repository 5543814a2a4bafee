package shop

import "context"

var tracer = newTracer()

type Money struct{ cents int }

func (m Money) Format(ctx context.Context) string {
	return "x"
}
