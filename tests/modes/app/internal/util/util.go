// Package util is imported by obs (and app): `trace` selects its functions,
// but weaving them would make util import obs, which imports util.
package util

import (
	"fmt"
	"strings"
)

func Print(s string) { fmt.Println(s) }

func Upper(s string) string { return strings.ToUpper(s) }
