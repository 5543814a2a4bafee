package p

func Add(a, b int) int { return a + b }

func Mixed(a, b int, s string, x, y, z float64) (sum, diff float64, ok bool) { return }

func Blank(_ int, _, c string) {}
