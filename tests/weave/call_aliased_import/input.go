package shop

import db "database/sql"

func Connect() (*db.DB, error) {
	return db.Open("sqlite", "shop.db")
}
