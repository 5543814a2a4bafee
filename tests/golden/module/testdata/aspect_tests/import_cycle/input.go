package dbtrace

import "database/sql"

func Wrap(db *sql.DB, err error) (*sql.DB, error) {
	return db, err
}

func open() {
	sql.Open("postgres", "")
}
