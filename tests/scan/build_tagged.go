// Copyright notice.

//go:build linux && (amd64 || arm64)
// +build linux
// +build amd64 arm64

package p

func OnlyLinux() {}
