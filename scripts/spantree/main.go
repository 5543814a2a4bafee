// Command spantree prints the spans that the OpenTelemetry console exporter
// wrote (one JSON object per span, in one or more files) as trees: one per
// trace, children indented under their parents, across processes.
//
//	go run ./scripts/spantree api.json inventory.json
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type spanContext struct {
	TraceID string
	SpanID  string
}

type keyValue struct {
	Key   string
	Value struct{ Value any }
}

type span struct {
	Name        string
	SpanContext spanContext
	Parent      spanContext
	SpanKind    int
	StartTime   string
	Attributes  []keyValue
	Resource    []keyValue
}

var kinds = map[int]string{1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}

// shown are the attributes worth a glance in a demo.
var shown = []string{"http.route", "http.response.status_code", "url.full", "db.system.name", "db.query.text", "rpc.method"}

func main() {
	var spans []span
	for _, file := range os.Args[1:] {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		dec := json.NewDecoder(f)
		for {
			var s span
			if err := dec.Decode(&s); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
				os.Exit(1)
			}
			spans = append(spans, s)
		}
		f.Close()
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].StartTime < spans[j].StartTime })
	children := map[string][]span{}
	known := map[string]bool{}
	for _, s := range spans {
		known[s.SpanContext.SpanID] = true
	}
	var roots []span
	for _, s := range spans {
		if known[s.Parent.SpanID] {
			children[s.Parent.SpanID] = append(children[s.Parent.SpanID], s)
		} else {
			roots = append(roots, s)
		}
	}
	for _, r := range roots {
		fmt.Printf("trace %s\n", r.SpanContext.TraceID)
		print(r, children, 1)
	}
	fmt.Printf("%d spans, %d traces\n", len(spans), len(roots))
}

func print(s span, children map[string][]span, depth int) {
	var attrs []string
	for _, k := range shown {
		for _, kv := range s.Attributes {
			if kv.Key == k {
				attrs = append(attrs, fmt.Sprintf("%s=%v", k, kv.Value.Value))
			}
		}
	}
	fmt.Printf("%s[%s] %s %q %s\n", strings.Repeat("  ", depth), service(s), kinds[s.SpanKind], s.Name, strings.Join(attrs, " "))
	for _, c := range children[s.SpanContext.SpanID] {
		print(c, children, depth+1)
	}
}

func service(s span) string {
	for _, kv := range s.Resource {
		if kv.Key == "service.name" {
			return fmt.Sprint(kv.Value.Value)
		}
	}
	return "?"
}
