package shop

import (
	ctxpkg "context"
	"database/sql"
	nethttp "net/http"
	"gopkg.in/yaml.v3"
	"github.com/mattn/go-sqlite3"
	pgx "github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/hashicorp/golang-lru/v2"
)

func Handle(ctx ctxpkg.Context, w nethttp.ResponseWriter, r *nethttp.Request) error {
	db, err := sql.Open("sqlite3", ":memory:")
	_ = db
	return err
}

func Decode(n *yaml.Node, d sqlite3.SQLiteDriver, c *pgx.Conn, p *pgxpool.Pool) {}

func Cache(c *lru.Cache[string, int]) *lru.Cache[string, int] { return lru.New[string, int](8) }

func Unknown(x nosuch.Thing) {}
