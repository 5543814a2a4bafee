// Command mongoaws serves GET /items/{id} through http.Serve and calls it
// once with http.Get: the handler stores two documents in MongoDB, reads
// them back through a cursor, and looks the item's price up in DynamoDB.
// Both services are the fakes of package fake, on loopback. There is no
// tracing code here: goaop weaves it (aspects.yaml).
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/integrations/mongoaws/fake"
)

type app struct {
	items  *mongo.Collection
	prices *dynamodb.Client
}

func (a *app) item(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	docs := []any{
		bson.D{{Key: "_id", Value: id + "-a"}, {Key: "item", Value: id}},
		bson.D{{Key: "_id", Value: id + "-b"}, {Key: "item", Value: id}},
	}
	if _, err := a.items.InsertMany(ctx, docs); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	cur, err := a.items.Find(ctx, bson.D{{Key: "item", Value: id}}, options.Find().SetBatchSize(1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var found []bson.M
	if err := cur.All(ctx, &found); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out, err := a.prices.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("prices"),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	price, _ := out.Item["price"].(*types.AttributeValueMemberN)
	if price == nil {
		http.Error(w, "no price", http.StatusNotFound)
		return
	}
	fmt.Fprintf(w, "item %s: %d documents, price %s\n", id, len(found), price.Value)
}

func main() {
	ctx := context.Background()
	mongod, err := fake.StartMongo()
	if err != nil {
		log.Fatal(err)
	}
	defer mongod.Close()
	ddb, err := fake.StartDynamoDB()
	if err != nil {
		log.Fatal(err)
	}
	defer ddb.Close()

	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + mongod.Addr() + "/?directConnection=true"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", "")),
		config.WithBaseEndpoint(ddb.URL()))
	if err != nil {
		log.Fatal(err)
	}
	a := &app{items: client.Database("shop").Collection("items"), prices: dynamodb.NewFromConfig(cfg)}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", a.item)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, mux)

	resp, err := http.Get("http://" + ln.Addr().String() + "/items/7")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Fprintf(os.Stderr, "%d %s", resp.StatusCode, body)
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("GET /items/7: %s", resp.Status)
	}
}
