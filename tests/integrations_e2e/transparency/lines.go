package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Generated code (goyacc, templ, cgo, cover) carries line directives of
// both forms: the woven program must report the positions they give.

// Not a directive: it is inside a string.
var fake = `
//line fake.go:900
`

// lineOf is its caller's file and line, as the compiled program has them.
func lineOf() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// Lines is advised (trace) and its strings.ToUpper calls are replaced
// (upper): every resume after woven code names the position in force.
func Lines() {
	fmt.Println("lines", len(fake), lineOf())
	fmt.Println("lines", strings.ToUpper("a"), /*line gen.tmpl:200:5*/ lineOf())
	fmt.Println("lines", strings.ToUpper("b"), lineOf())
//line gen.y:300
	fmt.Println("lines", strings.ToUpper("c"), lineOf())
	fmt.Println("lines", lineOf())
}
