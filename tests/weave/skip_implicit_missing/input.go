package shop

import "context"

func Do(ctx context.Context) error {
	return nil
}
