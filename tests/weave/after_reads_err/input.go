package shop

import "context"

var tracer = newTracer()

func Save(ctx context.Context, id int) error {
	if id < 0 {
		return errNegative
	}
	return nil
}
