// Package auth holds permissions in the context.
package auth

import "context"

type permKey struct{}

func WithPermission(ctx context.Context, perm string) context.Context {
	return context.WithValue(ctx, permKey{}, perm)
}

func Check(ctx context.Context, perm string) bool {
	p, _ := ctx.Value(permKey{}).(string)
	return p == perm
}
