// checkout: a small order service with no tracing code of its own. goaop
// weaves OpenTelemetry into it (`goaop init` picks the integrations from
// its imports; one `go build -toolexec=goaop` builds it):
//
//	POST /orders/{id}  (chi)
//	  → the price from Redis (go-redis), else from PostgreSQL (pgx) and
//	    cached in Redis
//	  → an "order placed" event to Kafka (kafka-go)
//	→ a consumer group (kafka-go) ships the order and logs it (log/slog)
//
// One request is one trace: SERVER span → redis and PostgreSQL CLIENT spans
// → PRODUCER span → CONSUMER span, and the log records carry its ids.
//
// Configuration (environment): CHECKOUT_ADDR (default 127.0.0.1:8080),
// REDIS_ADDR, DATABASE_URL, KAFKA_BROKER, KAFKA_TOPIC (default orders).
// SIGINT/SIGTERM stop it gracefully (in-flight requests finish, the
// consumer stops, spans are flushed).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
)

type service struct {
	db     *pgxpool.Pool
	cache  *redis.Client
	events *kafka.Writer
	logger *slog.Logger
}

type order struct {
	ID    string `json:"id"`
	Item  string `json:"item"`
	Price int    `json:"price"`
}

// price reads the item's price from the cache, else from the database
// (and caches it).
func (s *service) price(ctx context.Context, id string) (order, error) {
	o := order{ID: id}
	if cached, err := s.cache.Get(ctx, "order:"+id).Result(); err == nil {
		if err := json.Unmarshal([]byte(cached), &o); err == nil {
			return o, nil
		}
	} else if !errors.Is(err, redis.Nil) {
		return o, err
	}
	err := s.db.QueryRow(ctx, "SELECT item, price FROM catalog WHERE id = $1", id).Scan(&o.Item, &o.Price)
	if err != nil {
		return o, err
	}
	if encoded, err := json.Marshal(o); err == nil {
		s.cache.Set(ctx, "order:"+id, encoded, time.Minute)
	}
	return o, nil
}

func (s *service) placeOrder(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	o, err := s.price(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	event, _ := json.Marshal(o)
	if err := s.events.WriteMessages(r.Context(), kafka.Message{Key: []byte(id), Value: event}); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	s.logger.InfoContext(r.Context(), "order placed", "id", id, "price", o.Price)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(o)
}

// ship consumes order events until ctx ends.
func (s *service) ship(ctx context.Context, reader *kafka.Reader) {
	for {
		m, err := reader.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("consumer stopped", "err", err)
			}
			return
		}
		var o order
		if err := json.Unmarshal(m.Value, &o); err != nil {
			s.logger.Error("bad event", "err", err)
			continue
		}
		s.logger.Info("order shipped", "id", o.ID, "item", o.Item, "offset", strconv.FormatInt(m.Offset, 10))
	}
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	broker, topic := env("KAFKA_BROKER", "127.0.0.1:9092"), env("KAFKA_TOPIC", "orders")

	db, err := pgxpool.New(ctx, env("DATABASE_URL", "postgres://127.0.0.1:5432/checkout"))
	if err != nil {
		log.Fatalf("database: %v", err)
	}
	defer db.Close()
	cache := redis.NewClient(&redis.Options{Addr: env("REDIS_ADDR", "127.0.0.1:6379")})
	defer cache.Close()

	conn, err := kafka.Dial("tcp", broker)
	if err != nil {
		log.Fatalf("kafka: %v", err)
	}
	err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1})
	conn.Close()
	if err != nil {
		log.Fatalf("kafka topic %s: %v", topic, err)
	}

	s := &service{
		db:     db,
		cache:  cache,
		events: &kafka.Writer{Addr: kafka.TCP(broker), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: 10 * time.Millisecond},
		logger: slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	}
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:          []string{broker},
		Topic:            topic,
		GroupID:          "shipping",
		StartOffset:      kafka.FirstOffset,
		MaxWait:          100 * time.Millisecond,
		JoinGroupBackoff: 200 * time.Millisecond,
	})
	shipped := make(chan struct{})
	go func() {
		s.ship(ctx, reader)
		close(shipped)
	}()

	router := chi.NewRouter()
	router.Post("/orders/{id}", s.placeOrder)
	ln, err := net.Listen("tcp", env("CHECKOUT_ADDR", "127.0.0.1:8080"))
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: router}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	fmt.Fprintf(os.Stderr, "checkout listening on http://%s\n", ln.Addr())

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	<-shipped
	_ = reader.Close()
	_ = s.events.Close()
}
