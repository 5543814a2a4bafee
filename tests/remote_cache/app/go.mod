module example.com/remotecache

go 1.22
