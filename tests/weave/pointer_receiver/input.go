package shop

import "context"

var tracer = newTracer()

type OrderService struct{}

func (s *OrderService) Process(ctx context.Context) error {
	return nil
}
