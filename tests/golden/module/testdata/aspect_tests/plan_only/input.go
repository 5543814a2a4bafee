package app

import (
	"context"
	"database/sql"
)

var tracer Tracer

// Outside internal/: the db aspect does not apply; no error result: tracing skips it.
func Connect(ctx context.Context) *sql.DB {
	db, _ := sql.Open("postgres", "")
	return db
}
