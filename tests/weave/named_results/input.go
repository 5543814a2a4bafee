package shop

func Load(id int) (n int, err error) {
	return 0, nil
}
