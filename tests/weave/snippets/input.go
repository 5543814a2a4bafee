package shop

func Get(id int) string {
	return "item"
}

func Put(id int, v string) error {
	return nil
}
