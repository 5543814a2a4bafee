module example.com/tracedhttp

go 1.22
