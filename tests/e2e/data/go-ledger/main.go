package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	// one log file per host, as the operations team expects it
	if err := os.MkdirAll("/var/log/ledger", 0o755); err != nil {
		log.Fatal(err)
	}
	f, err := os.OpenFile("/var/log/ledger/ledger.log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	log.SetOutput(f)
	if err := os.MkdirAll(os.Getenv("LEDGER_DATA_DIR"), 0o755); err != nil {
		log.Fatal(err)
	}
	entries := filepath.Join(os.Getenv("LEDGER_DATA_DIR"), "entries.txt")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		out, err := os.OpenFile(entries, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer out.Close()
		fmt.Fprintln(out, r.URL.Path)
		log.Println("recorded", r.URL.Path)
		fmt.Fprintln(w, "recorded")
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
