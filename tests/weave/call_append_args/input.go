package shop

import "google.golang.org/grpc"

func Serve() {
	s := grpc.NewServer(grpc.MaxRecvMsgSize(1024))
	t := grpc.NewServer()
	_, _ = s, t
}
