package shop

import "database/sql"

type opener struct{}

func (opener) Open(a, b string) (*sql.DB, error) { return nil, nil }

func Connect() {
	sql.Open("sqlite", "a.db")
	{
		sql := opener{}
		sql.Open("sqlite", "b.db")
	}
}
