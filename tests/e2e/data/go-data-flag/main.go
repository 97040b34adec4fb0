// tally counts its starts in a file under the folder its --data option names.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	data := flag.String("data", "data", "where the tally keeps its file")
	flag.Parse()
	if err := os.MkdirAll(*data, 0o755); err != nil {
		log.Fatal(err)
	}
	file := filepath.Join(*data, "starts.log")
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(f, "started")
	f.Close()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := os.ReadFile(file)
		fmt.Fprintf(w, "starts: %d\n", strings.Count(string(b), "started"))
	})
	log.Fatal(http.ListenAndServe(":8090", nil))
}
