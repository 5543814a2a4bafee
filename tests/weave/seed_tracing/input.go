package shop

import "context"

var tracer = newTracer()

func ProcessOrder(ctx context.Context, id int) error {
	return nil
}

func Helper(x int) int { return x }
