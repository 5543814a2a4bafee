package weave

func Touch() {}

func Record() {}
