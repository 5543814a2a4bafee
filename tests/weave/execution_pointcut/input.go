package shop

import (
	ctxpkg "context"
	"errors"
)

var tracer = newTracer()

// Matches: a context.Context parameter (under another name and alias) and an error last.
func Load(c ctxpkg.Context, id int) (int, error) {
	if id < 0 {
		return 0, errors.New("negative")
	}
	return id, nil
}

// Does not match: no error result.
func Count(ctx ctxpkg.Context) int { return 0 }

// Does not match: no context parameter.
func Parse(s string) error { return nil }
