package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// request is one API request from the audit log.
type request struct {
	verb     string // audit verb; "watchlist" for a watch that streams the initial list
	key      string // "pods", "replicasets.apps", "pods/proxy", "pods.metrics.k8s.io", or a path
	selector string // label and field selectors: two informers of one resource differ in these
	received time.Time
}

// name is how the tables show a request: "list pods.metrics.k8s.io".
func (r request) name() string { return r.verb + " " + r.key }

// auditEvent is the part of an audit.k8s.io/v1 Event the bench reads.
type auditEvent struct {
	AuditID    string `json:"auditID"`
	RequestURI string `json:"requestURI"`
	Verb       string `json:"verb"`
	UserAgent  string `json:"userAgent"`
	ObjectRef  *struct {
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		APIGroup    string `json:"apiGroup"`
	} `json:"objectRef"`
	RequestReceived time.Time `json:"requestReceivedTimestamp"`
}

// readAudit returns the requests of user agents starting with agent, once
// each (a watch has a ResponseStarted and a ResponseComplete line), from
// audit.log and its rotated files.
func readAudit(dir, agent string) ([]request, error) {
	files, err := filepath.Glob(filepath.Join(dir, "audit*.log"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no audit log in %s", dir)
	}
	needle := []byte(`"userAgent":"` + agent)
	seen := map[string]bool{}
	var out []request
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if !bytes.Contains(line, needle) {
				continue
			}
			var ev auditEvent
			if err := json.Unmarshal(line, &ev); err != nil || seen[ev.AuditID] {
				continue
			}
			seen[ev.AuditID] = true
			out = append(out, toRequest(ev))
		}
		err = sc.Err()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
	}
	return out, nil
}

func toRequest(ev auditEvent) request {
	r := request{verb: ev.Verb, received: ev.RequestReceived}
	if _, query, ok := strings.Cut(ev.RequestURI, "?"); ok {
		if q, err := url.ParseQuery(query); err == nil {
			r.selector = q.Get("labelSelector") + "|" + q.Get("fieldSelector")
		}
	}
	if ev.Verb == "watch" && strings.Contains(ev.RequestURI, "sendInitialEvents=true") {
		r.verb = "watchlist"
	}
	if o := ev.ObjectRef; o != nil && o.Resource != "" {
		r.key = o.Resource
		if o.Subresource != "" {
			r.key += "/" + o.Subresource
		}
		if o.APIGroup != "" {
			r.key += "." + o.APIGroup
		}
		return r
	}
	path, _, _ := strings.Cut(ev.RequestURI, "?")
	r.key = path
	return r
}

// count tallies the requests received in [from, to) by name.
func count(reqs []request, from, to time.Time) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if !r.received.Before(from) && r.received.Before(to) {
			out[r.name()]++
		}
	}
	return out
}

// isList reports whether a request lists an informer's resource: a LIST or
// a watch that streams the list first (WatchListClient). Metrics lists are
// polls, not relists.
func isList(r request) bool {
	return (r.verb == "list" || r.verb == "watchlist") && !strings.HasSuffix(r.key, ".metrics.k8s.io")
}

// relists counts, per informer (resource and selectors), the lists after
// the first one in [from, to).
func relists(reqs []request, from, to time.Time) int {
	per := map[string]int{}
	for _, r := range reqs {
		if isList(r) && !r.received.Before(from) && r.received.Before(to) {
			per[r.key+" "+r.selector]++
		}
	}
	n := 0
	for _, c := range per {
		n += max(c-1, 0)
	}
	return n
}

// listsIn counts informer lists in [from, to): in a steady window, every one is a relist.
func listsIn(reqs []request, from, to time.Time) int {
	n := 0
	for _, r := range reqs {
		if isList(r) && !r.received.Before(from) && r.received.Before(to) {
			n++
		}
	}
	return n
}
