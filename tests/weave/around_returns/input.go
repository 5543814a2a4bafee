package shop

func ready() bool { return true }

func Ping() {
	println("pong")
}

func Load() (int, error) {
	return 1, nil
}
