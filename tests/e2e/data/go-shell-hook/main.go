package main

import (
	"net/http"
	"os/exec"
)

// every request runs the hook script the operator configured, through the shell
func hook(w http.ResponseWriter, r *http.Request) {
	out, err := exec.Command("sh", "-c", "echo notified by $(uname -s)").Output()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

func main() {
	http.HandleFunc("/", hook)
	http.ListenAndServe(":8080", nil)
}
