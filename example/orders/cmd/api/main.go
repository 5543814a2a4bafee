// Command api is the orders HTTP API: it reads orders from SQLite, reserves
// stock through the inventory gRPC service and asks the inventory's price
// list over HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"example.com/orders/internal/inventory"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "HTTP listen address")
	inventoryAddr := flag.String("inventory", os.Getenv("INVENTORY_ADDR"), "inventory gRPC address")
	pricesURL := flag.String("prices", os.Getenv("PRICES_URL"), "base URL of the price list")
	dbPath := flag.String("db", ":memory:", "SQLite database path")
	flag.Parse()
	log.SetPrefix("api: ")

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, *addr, *inventoryAddr, *pricesURL, *dbPath); err != nil {
		log.Printf("error: %v", err)
		os.Exit(1)
	}
	log.Print("stopped")
}

func run(ctx context.Context, addr, inventoryAddr, pricesURL, dbPath string) error {
	if inventoryAddr == "" || pricesURL == "" {
		return errors.New("-inventory and -prices are required")
	}
	db, err := openDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()

	conn, err := grpc.NewClient(inventoryAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()

	a := &api{db: db, inventory: inventory.NewClient(conn), pricesURL: pricesURL}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", a.getOrder)
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "orders-api 1.0\n")
	})
	handler := logRequests(mux)

	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Printf("listening on %s (http)", lis.Addr())
	log.Printf("using inventory at %s, prices at %s", inventoryAddr, pricesURL)

	errc := make(chan error, 1)
	go func() { errc <- http.Serve(lis, handler) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	return lis.Close()
}

func healthz(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}
