package shop

var slog = "a package-level variable named slog"

func Do() {
	println(slog)
}
