package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
)

func handle(w http.ResponseWriter, r *http.Request) {
	slog.Info("request", "path", r.URL.Path)
	slog.Debug("debug")
	slog.Info("again", "n", 2)
}

func work(ctx context.Context, args ...any) {
	slog.WarnContext(ctx, "working", args...)
	slog.Error("failed", "code", 3)
	slog.DebugContext(ctx, "debug")
	slog.ErrorContext(ctx, "failed")
	slog.Warn("no context here either way")
	slog.InfoContext(ctx, "done")
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	http.HandleFunc("/", handle)
	work(context.Background(), "k", "v")
}
