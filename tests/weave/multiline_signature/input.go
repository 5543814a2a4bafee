package shop

import "context"

var tracer = newTracer()

func Long(
	ctx context.Context,
	a, b int,
	name string,
) (
	total int,
	err error,
) {
	return a + b, nil
}
