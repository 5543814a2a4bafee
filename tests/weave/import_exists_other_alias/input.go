package shop

import lg "log/slog"

func Do() {
	lg.Info("work")
}
