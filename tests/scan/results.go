package p

import "io"

func None() {}

func One() error { return nil }

func OneParen() (error) { return nil }

func Two() (int, error) { return 0, nil }

func Named() (n int, err error) { return }

func GroupedNamed() (a, b int, err error) { return }

func Blank() (_ int, err error) { return }

func SingleNamed() (err error) { return }

func FuncResult() func() (io.Reader, error) { return nil }
