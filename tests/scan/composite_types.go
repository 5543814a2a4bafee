package p

import (
	"context"
	"io"
	"net/http"
	"unsafe"
)

const N = 4

func Composite(
	a []byte,
	b [4]int,
	c [N]string,
	d [2*N + 1]int,
	e [unsafe.Sizeof(uintptr(0))]byte,
	f map[string][]int,
	g chan<- int,
	h <-chan int,
	i chan int,
	j chan (<-chan int),
	k chan<- chan int,
	l func(int) error,
	m func(a int) (int, error),
	n func(a, b string, rest ...any),
	o func(),
	p struct{},
	q struct {
		A, B int
		io.Reader
		*http.Client
		Tag string `json:"tag"` // trailing comment
	},
	r interface{},
	s interface {
		Read(p []byte) (n int, err error)
		io.Closer
	},
	t any,
	u *map[*http.Request][]*context.Context,
	v [][]map[string]func(context.Context) (*http.Response, error),
	w ( /* comment */ *http.Request),
	x func(context.Context,
		// a comment between params
		*http.Request,
	) error,
) {
}
