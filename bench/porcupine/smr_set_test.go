// Runs Porcupine on the files bench/lincheck.ts writes, so both checkers are timed on exactly
// the same histories (issue 16). Not part of this kit's build: copy this file into a checkout
// of github.com/anishathalye/porcupine (it uses that package's own test parsers and models,
// parseJepsenLog/etcdModel and parseKvLog/kvModel) and run
//
//	SMR_SET=/tmp/smr-lincheck-set go test -run TestSmrSet -v .
//
// Times are CheckEvents only (parsing excluded), best of three, as bench/lincheck.ts does.
package porcupine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type smrSetEntry struct {
	File     string `json:"file"`
	Model    string `json:"model"`
	Expected string `json:"expected"`
	Ops      int    `json:"ops"`
}

func TestSmrSet(t *testing.T) {
	dir := os.Getenv("SMR_SET")
	if dir == "" {
		t.Skip("set SMR_SET to the directory bench/lincheck.ts wrote")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []smrSetEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	total := time.Duration(0)
	fmt.Println("| file | ops | expected | Porcupine verdict | ms |")
	fmt.Println("|---|---|---|---|---|")
	for _, e := range entries {
		path := filepath.Join(dir, e.File)
		var events []Event
		var model Model
		if e.Model == "register" {
			events, model = parseJepsenLog(path), etcdModel
		} else {
			events, model = parseKvLog(path), kvModel
		}
		best := time.Duration(1<<62 - 1)
		verdict := ""
		for run := 0; run < 3; run++ {
			start := time.Now()
			result := CheckEventsTimeout(model, events, 60*time.Second)
			elapsed := time.Since(start)
			if elapsed < best {
				best = elapsed
			}
			switch result {
			case Ok:
				verdict = "linearizable"
			case Illegal:
				verdict = "not-linearizable"
			default:
				verdict = "unknown"
			}
		}
		total += best
		fmt.Printf("| %s | %d | %s | %s | %.1f |\n", e.File, e.Ops, e.Expected, verdict, float64(best.Microseconds())/1000)
	}
	fmt.Printf("total %.1f ms\n", float64(total.Microseconds())/1000)
}
