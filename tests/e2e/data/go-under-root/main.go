package main

import (
	"log"
	"net/http"
	"os"
)

// pages serves the greeting kept beside the binary, read at start from the working directory.
func main() {
	greeting, err := os.ReadFile("greeting.txt")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write(greeting) })
	log.Fatal(http.ListenAndServe(":8080", nil))
}
