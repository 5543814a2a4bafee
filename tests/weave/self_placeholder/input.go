package shop

type Store struct{}

func Plain() {}

func Map[K comparable, V any](m map[K]V) {}

func (s *Store) Get(key string) {}

func (*Store) Put(key string) {}

func (_ Store) Run() {
	f := func() {}
	f()
}
