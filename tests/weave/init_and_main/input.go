package main

func init() {
	println("init")
}

func main() {
	println("main")
}
