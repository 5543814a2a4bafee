package shop

import "time"

var metrics = newRecorder()

type OrderService struct{}

func (s *OrderService) Create() error {
	time.Sleep(0)
	return nil
}
