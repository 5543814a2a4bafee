package p

import (
	"cmp"
	"iter"
	"golang.org/x/exp/constraints"
)

func Map[T, U any](xs []T, f func(T) U) []U { return nil }

func Max[T cmp.Ordered](a, b T) T { return a }

func Sum[N constraints.Integer | constraints.Float](xs ...N) N { return 0 }

func Keys[M ~map[K]V, K comparable, V any](m M) iter.Seq[K] { return nil }

func Tilde[S ~[]E, E interface{ ~int | ~string }](s S) {}

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func (p *Pair[K, V]) Swap() Pair[K, V] { return *p }

func (p Pair[_, V]) Value() V { return p.Val }

func Use() {
	_ = Map[int, string](nil, nil)
	_ = Max(1, 2)
}
