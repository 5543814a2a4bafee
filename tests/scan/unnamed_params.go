package p

import "context"

func Unnamed(int, string, context.Context) error { return nil }

func Empty() {}

type T struct{}

func (T) Value() {}

func (*T) Pointer(int) {}
