package app

import "context"

var tracer Tracer

func Process(ctx context.Context, id int) error {
	return nil
}

// No context: not traced.
func Helper(id int) int {
	return id + 1
}
