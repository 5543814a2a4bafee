module example.com/trust

go 1.22
