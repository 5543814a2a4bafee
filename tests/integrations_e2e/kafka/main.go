// The fixture of tests/integrations_kafka.rs: an HTTP handler that produces
// two Kafka messages with segmentio/kafka-go, and a consumer-group reader
// that reads them back, with no tracing code of its own. goaop weaves the
// tracing in (`use: [otel, net/http, kafka-go]`); the test reads the spans
// from stdout (OTEL_TRACES_EXPORTER=console) and the consumed messages'
// headers from stderr (one JSON line each).
//
// Usage: app <broker address> <topic>
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/segmentio/kafka-go"
)

type shop struct {
	writer *kafka.Writer
}

// order publishes two events for the order in one WriteMessages call, with
// the request's context.
func (s *shop) order(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	msgs := []kafka.Message{
		{Key: []byte(id), Value: []byte("created " + id), Headers: []kafka.Header{{Key: "source", Value: []byte("fixture")}}},
		{Key: []byte(id), Value: []byte("paid " + id)},
	}
	if err := s.writer.WriteMessages(r.Context(), msgs...); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The caller's messages are its own: the woven producer must not have
	// added headers to them.
	if len(msgs[0].Headers) != 1 || len(msgs[1].Headers) != 0 {
		http.Error(w, fmt.Sprintf("headers of the caller's messages changed: %v", msgs), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "ordered "+id)
}

type consumed struct {
	Value   string            `json:"value"`
	Headers map[string]string `json:"headers"`
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: app <broker address> <topic>")
	}
	broker, topic := os.Args[1], os.Args[2]

	conn, err := kafka.Dial("tcp", broker)
	if err != nil {
		log.Fatalf("dial %s: %v", broker, err)
	}
	err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1})
	conn.Close()
	if err != nil {
		log.Fatalf("create topic %s: %v", topic, err)
	}

	s := &shop{writer: &kafka.Writer{
		Addr:         kafka.TCP(broker),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 10 * time.Millisecond,
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", s.order)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, mux)
	resp, err := http.Post(fmt.Sprintf("http://%s/orders/42", ln.Addr()), "text/plain", nil)
	if err != nil {
		log.Fatalf("POST: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	fmt.Fprintf(os.Stderr, "POST: %s\n", body)
	if err := s.writer.Close(); err != nil {
		log.Fatalf("close writer: %v", err)
	}

	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     []string{broker},
		Topic:       topic,
		GroupID:     "billing",
		StartOffset: kafka.FirstOffset,
		MaxWait:     100 * time.Millisecond,
		// The group coordinator may still be loading on a fresh broker.
		JoinGroupBackoff: 200 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for range 2 {
		m, err := reader.ReadMessage(ctx)
		if err != nil {
			log.Fatalf("read: %v", err)
		}
		c := consumed{Value: string(m.Value), Headers: map[string]string{}}
		for _, h := range m.Headers {
			c.Headers[h.Key] = string(h.Value)
		}
		line, _ := json.Marshal(c)
		fmt.Fprintf(os.Stderr, "%s\n", line)
	}
	if err := reader.Close(); err != nil {
		log.Fatalf("close reader: %v", err)
	}
}
