package main

import (
	"fmt"
	"net/http"
	"os"
)

// The greeting comes from the environment the start command sets; without it the service fails.
func main() {
	greeting := os.Getenv("GREETING")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if greeting == "" {
			http.Error(w, "GREETING is not set", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, greeting)
	})
	http.ListenAndServe(":8080", nil)
}
