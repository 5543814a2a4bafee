package shop

func ready() bool { return true }

// Tick has no results: woven ("end" runs when the body reaches its end).
func Tick() {
	println("tick")
}

// Sum has results: skipped.
func Sum(a, b int) int {
	return a + b
}

// Parse: the advice ends in a switch whose every case ends: woven.
func Parse(s string) (int, error) {
	return len(s), nil
}
