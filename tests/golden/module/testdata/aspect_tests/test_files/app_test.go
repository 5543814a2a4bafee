package app

import "context"

// In a test file: the tracing aspect has no `tests: true`, so as in
// `go test` this is not woven (the plan says so).
func helper(ctx context.Context) error {
	return Serve(ctx)
}
