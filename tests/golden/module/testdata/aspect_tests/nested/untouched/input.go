package app

// Nothing here matches an aspect: the woven text is the input itself.
func Add(a, b int) int {
	return a + b
}
