package p

import (
	"net/http"
	"database/sql"
	"fmt"
)

func Shadow(client *http.Client) {
	http.Get("package call")
	http := client
	http.Get("method call on a local")
	{
		sql := 1
		_ = sql
	}
	sql.Open("driver", "dsn")
	fmt.Println("ok")
}

func Param(fmt string) {
	fmt.Println("not the package")
}

func Later() {
	if fmt := 1; fmt > 0 {
		_ = fmt
	}
	fmt.Println("package again")
	for http := range 3 {
		http.Get("shadowed by range var")
	}
	http.Get("package again")
	sql := sql.Open
	_ = sql
	var fmt = "x"
	fmt.Println("shadowed by var")
}

func Switch(x any) {
	switch http := x.(type) {
	case int:
		http.Get("shadowed in switch")
	}
	select {
	case sql := <-make(chan int):
		sql.Open("shadowed in select")
	default:
		sql.Open("package")
	}
	f := func(http int) {
		http.Get("literal param")
	}
	_ = f
	http.Get("package")
}

func Refs() {
	c := http.DefaultClient
	_ = c
	http.DefaultClient.Do(nil)
	f := http.Get
	_ = f
	_ = &http.Client{Timeout: 1}
	defer fmt.Println("deferred")
	go http.ListenAndServe(":8080", nil)
	_ = http.Header(nil)
	_ = (http.Get)("parens")
}
