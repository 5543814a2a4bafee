// The fixture of tests/integrations_more.rs: four routers (gin, echo, chi,
// gorilla/mux), each serving GET /<router>/users/{id} by reading a key from
// a real redis-server and logging through slog, with no tracing code of its
// own. Every router is served twice: through http.Serve (wrapped by goaop's
// net/http integration) for user 1, and through httptest (not wrapped) for
// user 2. goaop weaves the tracing in; the test reads the spans from stdout
// (OTEL_TRACES_EXPORTER=console) and the log lines from stderr.
//
// Usage: app <redis address>
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
)

type app struct {
	rdb *redis.Client
	// JSON log lines on stderr.
	logger *slog.Logger
}

// user reads the user's name from redis, inside the request's span.
func (a *app) user(ctx context.Context, router, id string) string {
	name, err := a.rdb.Get(ctx, "user:"+id).Result()
	if err != nil {
		name = "error: " + err.Error()
	}
	a.logger.InfoContext(ctx, "user", "router", router, "id", id)
	return name
}

func (a *app) gin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/gin/users/:id", func(c *gin.Context) {
		c.String(http.StatusOK, a.user(c.Request.Context(), "gin", c.Param("id")))
	})
	return r
}

func (a *app) echo() http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.GET("/echo/users/:id", func(c echo.Context) error {
		ctx := c.Request().Context()
		// The default logger, with a context: text on stderr via package log.
		slog.InfoContext(ctx, "echo handler", "id", c.Param("id"))
		return c.String(http.StatusOK, a.user(ctx, "echo", c.Param("id")))
	})
	return e
}

func (a *app) chi() http.Handler {
	r := chi.NewRouter()
	r.Get("/chi/users/{id}", a.chiUser)
	return r
}

func (a *app) chiUser(w http.ResponseWriter, r *http.Request) {
	// The default logger without a context: goaop passes r.Context().
	slog.Info("chi handler", "id", chi.URLParam(r, "id"))
	io.WriteString(w, a.user(r.Context(), "chi", chi.URLParam(r, "id")))
}

func (a *app) mux() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/mux/users/{id}", a.muxUser).Methods(http.MethodGet)
	return r
}

// A served handler method: the net/http integration advises it too, and it
// must find the span otelmux started (else it would start a second one).
func (a *app) muxUser(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, a.user(r.Context(), "mux", mux.Vars(r)["id"]))
}

func get(url string) {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(os.Stderr, "GET %s: %d %s\n", url, resp.StatusCode, body)
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: app <redis address>")
	}
	rdb := redis.NewClient(&redis.Options{Addr: os.Args[1]})
	defer rdb.Close()
	ctx := context.Background()
	for _, id := range []string{"1", "2"} {
		if err := rdb.Set(ctx, "user:"+id, "user-"+id, 0).Err(); err != nil {
			log.Fatalf("redis SET: %v", err)
		}
	}
	a := &app{rdb: rdb, logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))}
	routers := []struct {
		name    string
		handler http.Handler
	}{{"gin", a.gin()}, {"echo", a.echo()}, {"chi", a.chi()}, {"mux", a.mux()}}
	for _, r := range routers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		go http.Serve(ln, r.handler)
		get(fmt.Sprintf("http://%s/%s/users/1", ln.Addr(), r.name))
		ln.Close()

		ts := httptest.NewServer(r.handler)
		get(fmt.Sprintf("%s/%s/users/2", ts.URL, r.name))
		ts.Close()
	}
}
