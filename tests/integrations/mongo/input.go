package main

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func main() {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:27017"))
	if err != nil {
		panic(err)
	}
	defer client.Disconnect(ctx)
	// The program's own monitor still sees every command.
	own := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) {}}
	opts := []*options.ClientOptions{options.Client().SetMonitor(own), options.Client().ApplyURI("mongodb://db")}
	other, _ := mongo.Connect(opts...)
	defaults, _ := mongo.Connect()
	for _, c := range []*mongo.Client{other, defaults} {
		c.Database("shop").Collection("items").FindOne(ctx, map[string]any{})
	}
}
