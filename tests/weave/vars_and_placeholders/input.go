package shop

type S struct{}

func (s *S) Do(n int) {}
