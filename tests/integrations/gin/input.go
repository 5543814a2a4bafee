package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func main() {
	r := gin.New(func(e *gin.Engine) { e.HandleMethodNotAllowed = true })
	r.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, c.Param("id")) })
	d := gin.Default()
	_ = d
	_ = http.ListenAndServe("127.0.0.1:8080", r)
}
