package broken

import "context"

func Ping(_ context.Context) error { return undefinedName }
