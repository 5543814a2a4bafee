package shop

import (
	"context"
	"errors"

	"example.com/shop/auth"
)

var ErrUnauthorized = errors.New("unauthorized")

func CreateOrderHandler(ctx context.Context, id int) error {
	return save(id)
}
