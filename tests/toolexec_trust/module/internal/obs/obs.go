// Package obs is the helper the aspect imports: a package of the module
// itself, which the woven packages do not import on their own.
package obs

// Enter is not inlined, so an edit of its body changes only this package's
// archive, not the export data the woven packages are compiled against.
//
//go:noinline
func Enter(name string, n int) {
	println("obs v1:", name, n)
}
