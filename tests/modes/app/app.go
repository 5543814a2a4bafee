// Package app is the root package of the modes fixture.
package app

import "example.com/app/internal/util"

// Greet is woven by `trace` in every mode.
func Greet(name string) string {
	return util.Upper("hello " + name)
}
