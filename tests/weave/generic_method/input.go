package shop

import "context"

var tracer = newTracer()

type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(ctx context.Context, v T) {
	s.items = append(s.items, v)
}
