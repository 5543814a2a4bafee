package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

func main() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m"})
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:7000"}})
	failoverCluster := redis.NewFailoverClusterClient(&redis.FailoverOptions{MasterName: "m"})
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:6379"}})
	universal := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	for _, c := range []redis.UniversalClient{rdb, failover, cluster, failoverCluster, ring, universal} {
		c.Get(ctx, "key")
	}
}
