package advisor

import (
	"fmt"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// storeCount is what a store of metrics counted of the container over the
// range it read, to stand beside what the live pods show.
type storeCount int

const (
	storeOOMKills storeCount = iota
	storeRestarts
)

// storeEvidence is the store's counts of the container's OOM kills and
// restarts (model.PastEvents), replaced pods included, as evidence beside
// the live pods' counts, which start again with each pod: "OOMKills, past
// 8d 72 (Prometheus)". Counts of zero, and a container no store told of,
// give none.
func storeEvidence(c model.Container, counts ...storeCount) []Evidence {
	p := c.Past
	if p == nil || p.Range <= 0 {
		return nil
	}
	store, _, _ := strings.Cut(p.Source, " (")
	var out []Evidence
	for _, k := range counts {
		label, n := "OOMKills", p.OOMKills
		if k == storeRestarts {
			label, n = "restarts", p.Restarts
		}
		if n > 0 {
			out = append(out, num(label+", past "+formatDuration(p.Range), fmt.Sprintf("%d (%s)", n, store), float64(n), Count))
		}
	}
	return out
}
