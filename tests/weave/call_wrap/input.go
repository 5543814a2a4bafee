package shop

import "database/sql"

func Connect() (*sql.DB, error) {
	return sql.Open("sqlite", "shop.db")
}
