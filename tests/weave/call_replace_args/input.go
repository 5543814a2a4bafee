package shop

import "database/sql"

func Connect(dsn string) (*sql.DB, error) {
	db, err := sql.Open("sqlite",
		dsn)
	return db, err
}
