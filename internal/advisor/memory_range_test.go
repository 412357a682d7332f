package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Finding 11 of the second review: the request range never runs above the
// limit in force after the patch (ledger: "194Mi to 778Mi" beside a 276Mi
// limit); it ends at the limit and names the upper bound above it.
func TestTheRequestRangeEndsAtTheLimit(t *testing.T) {
	w, _ := ledger(t, 170*mi)
	w.Containers[0].Instances[0].LastTermination.FinishedAt = ledgerAt.Add(30 * time.Minute)
	as := AdviseWorkload(w, Options{Now: t0.Add(9 * time.Hour)})
	checkInvariants(t, w, as)
	l, r := find(as, KindMemoryLimit), find(as, KindMemoryRequest)
	if l == nil || r == nil || r.Range == nil {
		t.Fatalf("want a limit and a request with a range: %s", describeAll(as))
	}
	if r.Range.Upper.Amount != max(l.Suggested.Amount, r.Suggested.Amount) || r.Range.UpperBound == nil || r.Range.UpperBound.Amount <= l.Suggested.Amount {
		t.Errorf("range %s-%s (bound %+v) beside the %s limit", r.Range.Lower.Display, r.Range.Upper.Display, r.Range.UpperBound, l.Suggested.Display)
	}
	if words := r.Range.Words(); !strings.Contains(words, "to "+l.Suggested.Display+" would do") || !strings.Contains(words, "lies above that limit") {
		t.Errorf("range words %q", words)
	}
}

// Finding 12: under a day of history a memory limit is never cut under the
// upper bound of what the usage supports (catalog: 2Gi -> 274Mi on one
// partial day's peaks); where the 2x ratio binds, the request comes to half
// of that bound instead. From a day on, the limit comes down to 2x the
// request, or the upper bound when that is lower.
func TestALimitIsNotCutUnderTheUpperBoundOnADay(t *testing.T) {
	catalog := func(span time.Duration) model.Container {
		return withProbes(model.Container{Resources: res(100, 1<<30, 0, 2<<30), Usage: usage(span, time.Minute, 1, 100, steady(50, 119*mi))})
	}
	as := AdviseWorkload(deployment(catalog(8*time.Hour)), Options{})
	l, r := find(as, KindMemoryLimit), find(as, KindMemoryRequest)
	if l == nil || r == nil || r.Range == nil || l.Suggested.Amount != r.Range.Upper.Amount || r.Suggested.Amount != l.Suggested.Amount/2 ||
		!strings.Contains(l.Reason, "with under a day of history, a daily peak not seen yet would be an OOMKill") || !strings.Contains(r.Reason, "half of it") {
		t.Errorf("on 8h: %s", describeAll(as))
	}
	as = AdviseWorkload(deployment(catalog(48*time.Hour)), Options{})
	if l, r := find(as, KindMemoryLimit), find(as, KindMemoryRequest); l == nil || r == nil || l.Suggested.Amount > 2*r.Suggested.Amount ||
		r.Suggested.Display != "137Mi" || strings.Contains(l.Reason, "under a day") {
		t.Errorf("on two days: %s", describeAll(as))
	}
}

// A limit nothing judges leaves the request to the history: on a minute of
// history a 1Gi limit over a 100Mi request made it "the memory limit becomes
// 1Gi: the request rises to 512Mi".
func TestAnUnjudgedLimitDoesNotMoveTheRequest(t *testing.T) {
	c := withProbes(model.Container{Resources: res(100, 100*mi, 0, 1024*mi), Usage: usage(time.Minute, 15*time.Second, 1, 100, steady(50, 90*mi))})
	if r := find(AdviseWorkload(deployment(c), Options{}), KindMemoryRequest); r != nil {
		t.Errorf("on a minute of history: %s", r.Reason)
	}
}
