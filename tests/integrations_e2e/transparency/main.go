package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
)

func name(f any) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// call runs f where the compiler cannot inline it: the names of closures
// in copies the inliner makes (`main.Outer.Outer.func2.func3`) depend on
// its decisions, which any added code changes (see the README).
//
//go:noinline
func call(f func()) { f() }

// Outer has closures, one nested.
func Outer() {
	a := func() {}
	b := func() {
		c := func() {}
		fmt.Println("closure", name(c))
	}
	fmt.Println("closure", name(a))
	fmt.Println("closure", name(b))
	call(b)
}

// Results has named results and a closure.
func Results() (n int, err error) {
	inc := func() { n++ }
	inc()
	fmt.Println("closure", name(inc))
	return n, nil
}

// Shout's call of strings.ToUpper is replaced, before its own closure.
func Shout(s string) string {
	up := strings.ToUpper(s)
	f := func() {}
	fmt.Println("closure", name(f))
	return up
}

// Lit's closure is advised, and has a closure of its own.
func Lit() {
	run := func() {
		inner := func() {}
		fmt.Println("closure", name(inner))
	}
	call(run)
	fmt.Println("closure", name(run))
}

// Trace reports the frames of a panic inside a closure: names and lines.
func Trace() (frames []string) {
	defer func() {
		if recover() != nil {
			lines := strings.Split(string(debug.Stack()), "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "main.") && i+1 < len(lines) {
					at := strings.Fields(lines[i+1])[0]
					frames = append(frames, l[:strings.IndexByte(l, '(')]+"@"+filepath.Base(at))
				}
			}
		}
	}()
	boom := func() { panic("boom") }
	boom()
	return nil
}

// handle recovers the panic of the function that defers it.
func handle() {
	if r := recover(); r != nil {
		fmt.Println("recovered", r)
	}
}

func Risky() {
	defer handle()
	panic("boom")
}

// where reports its caller's position.
func where() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// Fetch's parameter hides the net/url import.
func Fetch(url string) string {
	return url
}

func Hello(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, "hello")
}

func Ping(_ context.Context) error {
	return nil
}

// A router whose recv has the handler signature but is only ever deferred:
// it must keep recovering the handlers' panics.
type router struct{ mux *http.ServeMux }

func (rt *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	defer rt.recv(w, req)
	rt.mux.ServeHTTP(w, req)
}

func (rt *router) recv(w http.ResponseWriter, req *http.Request) {
	if r := recover(); r != nil {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Println("router recovered", r)
	}
}

func serve() {
	rt := &router{mux: http.NewServeMux()}
	rt.mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("handler")
	})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/panic")
	if err != nil {
		fmt.Println("get:", err)
		return
	}
	resp.Body.Close()
	fmt.Println("status", resp.StatusCode)
}

func main() {
	show := func(s string) { fmt.Println(s) }
	show("closure " + name(show))
	Outer()
	n, _ := Results()
	fmt.Println("results", n)
	fmt.Println("shout", Shout("hi"))
	Lit()
	fmt.Println("frames", strings.Join(Trace(), " "))
	Risky()
	fmt.Println("caller", where())
	fmt.Println("fetch", Fetch("x"), url.PathEscape("y z"))
	rec := httptest.NewRecorder()
	Hello(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println("hello", rec.Body.String())
	fmt.Println("ping", Ping(context.Background()))
	blocks()
	serve()
	calls()
	Lines()
}
