package shop

func Do() {}
