package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log"
)

func open(path string) (*sql.DB, error) {
	return sql.Open("sqlite", path)
}

func fromConnector(c driver.Connector) *sql.DB {
	return sql.OpenDB(c)
}

func main() {
	db, err := open("orders.db")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM orders").Scan(&n); err != nil {
		log.Print(err)
	}
	_ = fromConnector
}
