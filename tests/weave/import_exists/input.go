package shop

import "log/slog"

func Do() {
	slog.Info("work")
}
