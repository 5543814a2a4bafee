package app

import "context"

func Handle(ctx context.Context) {}
