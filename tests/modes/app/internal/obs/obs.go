// Package obs is what the advice calls: the aspects import it, so it and
// the packages it imports are never woven (that would be an import cycle).
package obs

import "example.com/app/internal/util"

// Enter prints one line per advised call.
func Enter(name string) { util.Print("enter " + name) }
