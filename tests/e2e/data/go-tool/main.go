package main

import (
	"log"
	"net/http"
	"os/exec"
	"strings"
)

// shape pipes the request body through a jq filter: the service leans on jq at run time.
func shape(w http.ResponseWriter, r *http.Request) {
	cmd := exec.Command("jq", "-c", ".")
	cmd.Stdin = strings.NewReader(`{"status": "ok"}`)
	out, err := cmd.Output()
	if err != nil {
		log.Printf("jq failed: %v", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

func main() {
	http.HandleFunc("/", shape)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
