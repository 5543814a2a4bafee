// Package inventory is the shop.Inventory gRPC service: a hand-written
// service descriptor (no protoc), the server-side stock keeping, and a
// client stub. Messages are protobuf well-known wrapper types.
package inventory

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// ReserveMethod is the full gRPC method name of Reserve.
const ReserveMethod = "/shop.Inventory/Reserve"

// Server is what a shop.Inventory implementation provides.
type Server interface {
	// Reserve takes one unit of the SKU out of stock and returns how many
	// are left.
	Reserve(context.Context, *wrapperspb.StringValue) (*wrapperspb.Int64Value, error)
}

// ServiceDesc describes shop.Inventory to grpc.Server.
var ServiceDesc = grpc.ServiceDesc{
	ServiceName: "shop.Inventory",
	HandlerType: (*Server)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Reserve", Handler: reserveHandler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "shop/inventory.proto",
}

// Register adds srv to the gRPC server s.
func Register(s grpc.ServiceRegistrar, srv Server) {
	s.RegisterService(&ServiceDesc, srv)
}

func reserveHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(Server).Reserve(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: ReserveMethod}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(Server).Reserve(ctx, req.(*wrapperspb.StringValue))
	}
	return interceptor(ctx, in, info, handler)
}

// Stock is an in-memory Server.
type Stock struct {
	mu    sync.Mutex
	units map[string]int64
}

// NewStock returns a Stock holding the given units per SKU.
func NewStock(units map[string]int64) *Stock {
	s := &Stock{units: make(map[string]int64, len(units))}
	for sku, n := range units {
		s.units[sku] = n
	}
	return s
}

// Reserve implements Server.
func (s *Stock) Reserve(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.Int64Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.units[in.GetValue()]
	switch {
	case !ok:
		return nil, status.Errorf(codes.NotFound, "unknown sku %q", in.GetValue())
	case n == 0:
		return nil, status.Errorf(codes.ResourceExhausted, "sku %q is out of stock", in.GetValue())
	}
	s.units[in.GetValue()] = n - 1
	return wrapperspb.Int64(n - 1), nil
}

// Client calls shop.Inventory over a gRPC connection.
type Client struct {
	cc grpc.ClientConnInterface
}

// NewClient returns a Client using cc.
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{cc: cc}
}

// Reserve takes one unit of sku out of stock and returns how many are left.
func (c *Client) Reserve(ctx context.Context, sku string, opts ...grpc.CallOption) (int64, error) {
	out := new(wrapperspb.Int64Value)
	if err := c.cc.Invoke(ctx, ReserveMethod, wrapperspb.String(sku), out, opts...); err != nil {
		return 0, err
	}
	return out.GetValue(), nil
}
