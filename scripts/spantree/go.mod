module goaop.dev/scripts/spantree

go 1.22
