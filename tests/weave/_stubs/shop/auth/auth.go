package auth

import "context"

func Check(ctx context.Context, perm string) bool { return ctx != nil && perm != "" }
