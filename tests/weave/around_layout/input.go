package shop

import (
	"net/http"
	"sync"
)

var mu sync.Mutex

func Update(w http.ResponseWriter, r *http.Request) { // locks
	mu.Lock()
	defer mu.Unlock()
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength == 0 { w.WriteHeader(http.StatusBadRequest); return }
	w.WriteHeader(http.StatusAccepted) }

func Short(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }

//line generated.go:100
func Generated(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusTeapot)
}
