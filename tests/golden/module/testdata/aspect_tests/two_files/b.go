package app

import "context"

func save(ctx context.Context) error {
	return nil
}
