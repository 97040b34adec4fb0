package main

import (
	"log"
	"net/http"
	"os"
)

// greeter answers with the greeting the start command sets; without it the service fails.
type greeter struct{ text string }

func (g greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.text == "" {
		http.Error(w, "GREETING is not set", http.StatusInternalServerError)
		return
	}
	w.Write([]byte(g.text + "\n"))
}

func main() {
	log.Fatal(http.ListenAndServe(":8080", greeter{os.Getenv("GREETING")}))
}
