package shop

import "context"

func Create(ctx context.Context, id string) error { return nil }

func List(ctx context.Context) ([]string, error) { return nil, nil }

func Delete(ctx context.Context, id string) error { return nil }

func Archive(ctx context.Context, id string) error { return nil }

func helper(n int) int { return n + 1 }
