// Cancelling an order: logged first (order -1), then traced, then refused
// inside the span without the `orders:cancel` permission (auth: order 1).
package orders

import (
	"context"
	"errors"

	"example.com/shop/internal/obs"
)

var tracer = obs.NewTracer("orders")

var ErrUnauthorized = errors.New("unauthorized")

type OrderService struct{ orders map[int]string }

func (s *OrderService) CancelOrder(ctx context.Context, id int) error {
	delete(s.orders, id)
	return nil
}

// Count has no context: only the logging aspect applies.
func (s *OrderService) Count() int {
	return len(s.orders)
}
