package shop

import (
	"context"

	"example.com/shop/auth"
)

var ErrUnauthorized error

var _ = auth.Check

func CountHandler(ctx context.Context) (int, error) {
	return 0, nil
}

func NoResultHandler(ctx context.Context) {}
