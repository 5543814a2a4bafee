package shop

func Run() {
	a := func() {
		b := func() {}
		b()
	}
	c := func() {}
	a()
	c()
}
