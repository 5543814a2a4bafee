module example.com/acme/goaop-greet

go 1.22
