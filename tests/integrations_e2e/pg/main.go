// The fixture of tests/integrations_pg.rs: an HTTP API reading users from a
// real PostgreSQL through every way a Go program commonly opens it, with no
// tracing code of its own. goaop weaves the tracing in (use: otel,
// net/http, database/sql, pgx); the test reads the spans from stdout
// (OTEL_TRACES_EXPORTER=console).
//
// Each handle runs its own query text (the trailing comment names it), so
// the test can tell the spans apart. The program queries every handle once
// outside a request, then serves GET /users/{id} through http.Serve and
// calls it with http.Get for users 1 and 2.
//
// Usage: app <postgres URL>
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"
)

// counter is the program's own pgx tracer (not an OpenTelemetry one): the
// pgx integration must leave a connection with a Tracer alone.
type counter struct{ queries atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.queries.Add(1)
	return ctx
}

func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// queryer is what the handlers need from each handle.
type queryer func(ctx context.Context, query string, id string) (string, error)

func fromPgx(q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) queryer {
	return func(ctx context.Context, query string, id string) (string, error) {
		var name string
		err := q.QueryRow(ctx, query, id).Scan(&name)
		return name, err
	}
}

func fromSQL(db *sql.DB) queryer {
	return func(ctx context.Context, query string, id string) (string, error) {
		var name string
		err := db.QueryRowContext(ctx, query, id).Scan(&name)
		return name, err
	}
}

type handle struct {
	via string
	q   queryer
}

type app struct {
	handles []handle
}

func query(via string) string {
	return "SELECT name FROM users WHERE id = $1 /* " + via + " */"
}

func (a *app) users(w http.ResponseWriter, r *http.Request) {
	var names []string
	for _, h := range a.handles {
		name, err := h.q(r.Context(), query(h.via), r.PathValue("id"))
		if err != nil {
			http.Error(w, h.via+": "+err.Error(), http.StatusInternalServerError)
			return
		}
		names = append(names, h.via+"="+name)
	}
	io.WriteString(w, strings.Join(names, " "))
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: app <postgres URL>")
	}
	dsn := os.Args[1]
	ctx := context.Background()

	// pgx's native API.
	pool := must(pgxpool.New(ctx, dsn))
	defer pool.Close()
	poolConfig := must(pgxpool.ParseConfig(dsn))
	poolFromConfig := must(pgxpool.NewWithConfig(ctx, poolConfig))
	defer poolFromConfig.Close()
	conn := must(pgx.Connect(ctx, dsn))
	defer conn.Close(ctx)
	config := must(pgx.ParseConfig(dsn))
	own := &counter{}
	ownConfig := config.Copy()
	ownConfig.Tracer = own
	ownConn := must(pgx.ConnectConfig(ctx, ownConfig))
	defer ownConn.Close(ctx)

	// database/sql: lib/pq and pgx's stdlib driver, by name and by connector.
	pqDB := must(sql.Open("postgres", dsn))
	pgxDB := must(sql.Open("pgx", dsn))
	pqConnector := must(pq.NewConnector(dsn))
	pqConnectorDB := sql.OpenDB(pqConnector)
	pgxConnectorDB := sql.OpenDB(stdlib.GetConnector(*config))
	// stdlib.OpenDB builds its *sql.DB inside pgx: the pgx integration's.
	stdlibDB := stdlib.OpenDB(*config)
	for _, db := range []*sql.DB{pqDB, pgxDB, pqConnectorDB, pgxConnectorDB, stdlibDB} {
		defer db.Close()
	}

	a := &app{handles: []handle{
		{"pgxpool", fromPgx(pool)},
		{"pgxpool-config", fromPgx(poolFromConfig)},
		{"pgx-conn", fromPgx(conn)},
		{"pgx-own-tracer", fromPgx(ownConn)},
		{"lib-pq", fromSQL(pqDB)},
		{"pgx-stdlib", fromSQL(pgxDB)},
		{"lib-pq-connector", fromSQL(pqConnectorDB)},
		{"pgx-stdlib-connector", fromSQL(pgxConnectorDB)},
		{"pgx-stdlib-opendb", fromSQL(stdlibDB)},
	}}

	// Outside a request: database/sql's spans are roots, pgx's are none.
	for _, h := range a.handles {
		if _, err := h.q(ctx, query(h.via+" startup"), "1"); err != nil {
			log.Fatalf("%s: %v", h.via, err)
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", a.users)
	ln := must(net.Listen("tcp", "127.0.0.1:0"))
	go http.Serve(ln, mux)
	for _, id := range []string{"1", "2"} {
		resp := must(http.Get(fmt.Sprintf("http://%s/users/%s", ln.Addr(), id)))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(os.Stderr, "GET /users/%s: %d %s\n", id, resp.StatusCode, body)
		if resp.StatusCode != http.StatusOK {
			log.Fatalf("GET /users/%s: %d", id, resp.StatusCode)
		}
	}
	ln.Close()
	fmt.Fprintf(os.Stderr, "own tracer saw %d queries\n", own.queries.Load())
}
