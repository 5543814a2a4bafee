// Package orders is the business logic. It declares `tracer` and
// `ErrUnauthorized`, which the aspects in aspects.yaml use.
package orders

import (
	"context"
	"errors"
	"fmt"

	"example.com/shop/internal/obs"
)

var tracer = obs.NewTracer("orders")

// ErrUnauthorized is returned by the auth aspect.
var ErrUnauthorized = errors.New("unauthorized")

type Order struct {
	ID   int
	Item string
}

type OrderService struct {
	orders map[int]Order
}

func NewService() *OrderService {
	return &OrderService{orders: map[int]Order{}}
}

func (s *OrderService) ProcessOrder(ctx context.Context, o Order) error {
	s.orders[o.ID] = o
	return s.reserve(ctx, o.Item)
}

func (s *OrderService) reserve(ctx context.Context, item string) error {
	fmt.Println("reserved", item)
	return nil
}

// GetOrder names its context `c`: a typed `requires` binds it anyway.
func (s *OrderService) GetOrder(c context.Context, id int) (Order, error) {
	o, ok := s.orders[id]
	if !ok {
		return Order{}, fmt.Errorf("order %d not found", id)
	}
	return o, nil
}

func (s *OrderService) CancelOrder(ctx context.Context, id int) error {
	delete(s.orders, id)
	fmt.Println("cancelled", id)
	return nil
}

// Total has no context: no aspect touches it.
func (s *OrderService) Total() int {
	return len(s.orders)
}
