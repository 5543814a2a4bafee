package shop

import "google.golang.org/grpc"

func Serve(opts []grpc.ServerOption) {
	s := grpc.NewServer(opts...)
	_ = s
}
