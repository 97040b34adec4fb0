package main

import (
	"log"
	"net/http"
	"os"
	"path/filepath"
)

// archive keeps each request's path in a folder the environment names, made on first use.
func archive(w http.ResponseWriter, r *http.Request) {
	dir := os.Getenv("ARCHIVE_DIR")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "last"), []byte(r.URL.Path), 0o644); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte("archived\n"))
}

func main() {
	http.HandleFunc("/", archive)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
