package shop

// F's tag would be statements if its signature were pasted raw.
func F(x struct {
	A int `json:"a\"); panic(\"x"`
}) {
	_ = x
}

// G's tag holds `*/`, which would end a block comment.
func G(x struct {
	B int `x:"*/ panic(1) /*"`
}) {
	_ = x
}

func H(s string) {
	_ = s
}
