package main

import "testing"

func TestWork(t *testing.T) {
	if Work() != 42 {
		t.Fatal("Work")
	}
}
