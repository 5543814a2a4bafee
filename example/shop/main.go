// The shop example: a tiny order service with no tracing or auth code of its
// own. `goaop go run .` weaves aspects.yaml into it.
package main

import (
	"context"
	"fmt"

	"example.com/shop/internal/auth"
	"example.com/shop/orders"
)

func main() {
	svc := orders.NewService()
	ctx := context.Background()
	if err := svc.ProcessOrder(ctx, orders.Order{ID: 1, Item: "book"}); err != nil {
		fmt.Println("process:", err)
	}
	if _, err := svc.GetOrder(ctx, 2); err != nil {
		fmt.Println("get:", err)
	}
	if err := svc.CancelOrder(ctx, 1); err != nil {
		fmt.Println("cancel:", err)
	}
	admin := auth.WithPermission(ctx, "orders:cancel")
	if err := svc.CancelOrder(admin, 1); err != nil {
		fmt.Println("cancel as admin:", err)
	}
	fmt.Println("total:", svc.Total())
}
