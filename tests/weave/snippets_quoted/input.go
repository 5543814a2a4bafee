package weave

import (
	"fmt"
	"strings"
)

func Get(id int) string {
	_ = strings.ToUpper("x")
	return fmt.Sprint(1, 2)
}
