package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strconv"

	_ "modernc.org/sqlite"

	"example.com/orders/internal/inventory"
)

type api struct {
	db        *sql.DB
	inventory *inventory.Client
	pricesURL string
}

type order struct {
	ID         int64  `json:"id"`
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
	InStock    int64  `json:"in_stock"`
}

// openDB opens the SQLite database and makes sure the schema and the demo
// order exist.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	// One connection: an in-memory database lives in its connection.
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, quantity INTEGER NOT NULL)`,
		`INSERT OR REPLACE INTO orders (id, sku, quantity) VALUES (1, 'book', 2)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("preparing database: %w", err)
		}
	}
	return db, nil
}

func (a *api) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad order id", http.StatusBadRequest)
		return
	}

	var o order
	err = a.db.QueryRowContext(r.Context(),
		`SELECT id, sku, quantity FROM orders WHERE id = ?`, id).Scan(&o.ID, &o.SKU, &o.Quantity)
	if errors.Is(err, sql.ErrNoRows) {
		http.Error(w, "order not found", http.StatusNotFound)
		return
	}
	if err != nil {
		log.Printf("query order %d: %v", id, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}

	o.InStock, err = a.inventory.Reserve(r.Context(), o.SKU)
	if err != nil {
		log.Printf("reserve %s: %v", o.SKU, err)
		http.Error(w, "inventory unavailable", http.StatusBadGateway)
		return
	}

	resp, err := http.Get(a.pricesURL + "/price/" + url.PathEscape(o.SKU))
	if err != nil {
		log.Printf("price of %s: %v", o.SKU, err)
		http.Error(w, "prices unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var price struct {
		Cents int64 `json:"cents"`
	}
	if resp.StatusCode != http.StatusOK {
		log.Printf("price of %s: %s", o.SKU, resp.Status)
		http.Error(w, "prices unavailable", http.StatusBadGateway)
		return
	}
	if err := json.NewDecoder(resp.Body).Decode(&price); err != nil {
		log.Printf("price of %s: %v", o.SKU, err)
		http.Error(w, "prices unavailable", http.StatusBadGateway)
		return
	}
	o.PriceCents = price.Cents

	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(o)
}
