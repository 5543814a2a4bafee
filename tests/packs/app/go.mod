module example.com/app

go 1.22

require example.com/acme/goaop-greet v0.0.0

replace example.com/acme/goaop-greet => ../pack
