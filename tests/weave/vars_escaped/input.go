package shop

func Run() {
}
