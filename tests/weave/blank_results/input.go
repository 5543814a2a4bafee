package shop

func Load(id int) (_ int, _ error) {
	return 0, nil
}
