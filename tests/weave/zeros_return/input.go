package shop

import "context"

var ErrUnauthorized error

func allowed(context.Context) bool { return true }

func GetHandler(ctx context.Context) (int, string, error) {
	return 1, "a", nil
}

func DeleteHandler(ctx context.Context) error {
	return nil
}
