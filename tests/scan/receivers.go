package p

import "sync"

type Stack[T any] struct {
	mu    sync.Mutex
	items []T
}

func (s *Stack[T]) Push(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, v)
}

func (s Stack[T]) Len() int { return len(s.items) }

type Counter int

func (c Counter) Get() int { return int(c) }

func (c *Counter) Inc() { *c++ }

func (_ *Counter) Reset() {}

func (c (*Counter)) Paren() {}
