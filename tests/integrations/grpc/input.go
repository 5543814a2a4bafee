package main

import (
	"context"
	"log"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	opts := []grpc.ServerOption{grpc.ConnectionTimeout(time.Second)}
	server := grpc.NewServer(opts...)
	plain := grpc.NewServer()
	defer server.Stop()
	defer plain.Stop()

	conn, err := grpc.NewClient("127.0.0.1:50051", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	old, err := grpc.Dial("127.0.0.1:50051", dialOpts...)
	if err == nil {
		old.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if c, err := grpc.DialContext(ctx, "127.0.0.1:50051", dialOpts...); err == nil {
		c.Close()
	}
}
