package shop

import "context"

var tracer = newTracer()

// Hot is called in a tight loop.
//
//goaop:ignore
func Hot(ctx context.Context) {}

func Cold(ctx context.Context) {}
