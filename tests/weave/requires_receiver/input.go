package weave

type Store struct{ name string }

func (st *Store) Get(key string) string { return st.name + key }

func (*Store) Len() int { return 0 }

func (Store) Kind() string { return "store" }
