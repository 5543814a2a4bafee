package shop

func Do() {
	start := 1
	_ = start
}
