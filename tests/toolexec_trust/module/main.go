package main

func Work() int { return 42 }

func main() {
	println("work", Work())
}
