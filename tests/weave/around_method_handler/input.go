package shop

import (
	"encoding/json"
	"net/http"
)

type API struct {
	orders map[string]string
}

func (a *API) get(w http.ResponseWriter, req *http.Request) {
	id := req.URL.Query().Get("id")
	order, ok := a.orders[id]
	if !ok {
		http.NotFound(w, req)
		return
	}
	json.NewEncoder(w).Encode(order)
}

// Not a handler: left alone.
func (a *API) count() int { return len(a.orders) }
