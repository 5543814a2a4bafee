package p

// Ignored is opted out.
//
//goaop:ignore
func Ignored() {}

//goaop:ignore hot path, measured
func IgnoredReason() {}

//goaop:ignore

func NotIgnoredBlankLine() {}

// goaop:ignore (with a space also counts)
func IgnoredSpace() {}

func Outer() {
	//goaop:ignore
	a := func() {}
	b := func() {} //goaop:ignore
	c := func() {}
	_, _, _ = a, b, c
}

var x = 1 //goaop:ignore (trailing comment of another declaration)
func NotIgnoredTrailing() {}

/*goaop:ignore*/ func IgnoredSameLine() {}
