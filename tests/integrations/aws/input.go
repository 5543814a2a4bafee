package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		panic(err)
	}
	dynamodb.NewFromConfig(cfg)

	// A program instrumenting a config itself keeps its own otelaws.
	own, _ := config.LoadDefaultConfig(ctx)
	otelaws.AppendMiddlewares(&own.APIOptions, otelaws.WithAttributeBuilder(otelaws.DefaultAttributeBuilder))
	dynamodb.NewFromConfig(own)
}
