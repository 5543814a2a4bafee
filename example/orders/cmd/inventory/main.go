// Command inventory serves the shop.Inventory gRPC service and a small
// HTTP price list (GET /price/{sku}) from the same process.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"example.com/orders/internal/inventory"
)

func main() {
	grpcAddr := flag.String("grpc-addr", "127.0.0.1:0", "gRPC listen address")
	httpAddr := flag.String("http-addr", "127.0.0.1:0", "HTTP listen address (price list)")
	flag.Parse()
	log.SetPrefix("inventory: ")

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, *grpcAddr, *httpAddr); err != nil {
		log.Printf("error: %v", err)
		os.Exit(1)
	}
	log.Print("stopped")
}

func run(ctx context.Context, grpcAddr, httpAddr string) error {
	grpcLis, err := net.Listen("tcp", grpcAddr)
	if err != nil {
		return err
	}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(1 << 20),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 5 * time.Minute}),
	}
	gs := grpc.NewServer(opts...)
	inventory.Register(gs, inventory.NewStock(map[string]int64{"book": 10, "pen": 3}))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /price/{sku}", getPrice)
	srv := &http.Server{Addr: httpAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	httpLis, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}

	log.Printf("listening on %s (grpc)", grpcLis.Addr())
	log.Printf("listening on %s (http)", httpLis.Addr())

	errc := make(chan error, 2)
	go func() { errc <- gs.Serve(grpcLis) }()
	go func() {
		if err := srv.Serve(httpLis); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	gs.GracefulStop()
	return err
}

var prices = map[string]int64{"book": 1299, "pen": 150}

func getPrice(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	cents, ok := prices[sku]
	if !ok {
		http.Error(w, "unknown sku", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"sku": sku, "cents": cents})
}
