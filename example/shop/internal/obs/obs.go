// Package obs is a stand-in tracer that prints spans, so the example runs
// with the standard library alone.
package obs

import (
	"context"
	"fmt"
	"strings"
)

type Tracer struct{ name string }

type Span struct {
	name  string
	depth int
}

type depthKey struct{}

func NewTracer(name string) *Tracer { return &Tracer{name: name} }

func (t *Tracer) Start(ctx context.Context, name string) (context.Context, *Span) {
	depth, _ := ctx.Value(depthKey{}).(int)
	s := &Span{name: t.name + "/" + name, depth: depth}
	fmt.Printf("%sspan start %s\n", strings.Repeat("  ", depth), s.name)
	return context.WithValue(ctx, depthKey{}, depth+1), s
}

func (s *Span) RecordError(err error) {
	fmt.Printf("%sspan error %s: %v\n", strings.Repeat("  ", s.depth+1), s.name, err)
}

func (s *Span) End() { fmt.Printf("%sspan end   %s\n", strings.Repeat("  ", s.depth), s.name) }
