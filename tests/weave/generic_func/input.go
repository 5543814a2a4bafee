package shop

import "context"

var tracer = newTracer()

func Map[T any, U any](ctx context.Context, xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}
