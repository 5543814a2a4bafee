// Package greet is an aspect pack: its aspects.yaml greets every function
// of the main module that goaop weaves it into.
package greet
