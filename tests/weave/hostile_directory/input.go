package shop

import "database/sql"

func Run() {
	db, err := sql.Open("sqlite", "shop.db"); _, _ = db, err
}
