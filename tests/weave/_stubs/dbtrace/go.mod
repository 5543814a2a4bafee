module example.com/dbtrace

go 1.22
