package shop

import (
	"net"
	"net/http"
	"os"
)

func Run(l net.Listener, dir string) {
	go http.Serve(l, nil)
	defer os.Remove(dir)
	defer os.Chdir(dir)
	_ = os.Remove(dir)
	_ = os.Chdir(dir)
}
