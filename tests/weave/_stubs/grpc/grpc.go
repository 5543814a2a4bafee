package grpc

type ServerOption interface{}

type Server struct{}

func NewServer(opts ...ServerOption) *Server { return &Server{} }

func MaxRecvMsgSize(n int) ServerOption { return n }

func StatsHandler(h any) ServerOption { return h }
