package shop

import "strconv"

func ready() bool { return true }

// Load assigns its result err with `:=`: skipped.
func Load(s string) (n int, err error) {
	v, err := strconv.Atoi(s)
	n = v
	return
}

// Rename assigns its parameter s with `:=`: skipped.
func Rename(s string) string {
	t, s := "x", s+"!"
	return t + s
}

// Count declares only new names: woven.
func Count(xs []int) (int, error) {
	n := len(xs)
	return n, nil
}
