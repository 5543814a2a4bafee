package main

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

const dsn = "postgres://postgres@127.0.0.1:5432/postgres"

func main() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, dsn)
	defer pool.Close()
	poolConfig, _ := pgxpool.ParseConfig(dsn)
	configured, _ := pgxpool.NewWithConfig(ctx, poolConfig)
	defer configured.Close()
	conn, _ := pgx.Connect(ctx, dsn)
	defer conn.Close(ctx)
	withOptions, _ := pgx.ConnectWithOptions(ctx, dsn, pgx.ParseConfigOptions{})
	defer withOptions.Close(ctx)
	config, _ := pgx.ParseConfig(dsn)
	fromConfig, _ := pgx.ConnectConfig(ctx, config)
	defer fromConfig.Close(ctx)
	opts := []stdlib.OptionOpenDB{stdlib.OptionResetSession(func(context.Context, *pgx.Conn) error { return nil })}
	db := stdlib.OpenDB(*config, opts...)
	defer db.Close()
	pool.Exec(ctx, "SELECT 1")
}
