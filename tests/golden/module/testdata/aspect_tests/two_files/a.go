package app

import "context"

var tracer Tracer

func Load(ctx context.Context) error {
	return save(ctx)
}
