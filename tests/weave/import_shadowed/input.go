package shop

import "net/url"

func Fetch(url string) {
	println(url)
}

func Plain() {
	_ = url.Values{}
}
