package ui

import (
	"strings"
	"testing"
)

// The table's help says how the rows are ordered, and, in the demo, that
// its clock runs faster than the wall clock and its dates are simulated.
func TestTableHelpSaysTheOrderAndTheDemoClock(t *testing.T) {
	d := deps(fixture(), &fakeApply{})
	d.About = "Demo: a simulated cluster whose clock runs 15× faster than yours"
	v := strings.Join(press(t, start(t, d, 200, 80), "?").helpView(), " ")
	for _, want := range []string{"15× faster than yours", "what fails (OOMKills, crash loops, throttling) before what only saves", "no pod ready", "WORKLOAD (2): two containers"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if v := strings.Join(press(t, start(t, deps(fixture(), &fakeApply{}), 200, 80), "?").helpView(), " "); strings.Contains(v, "Demo:") {
		t.Error("a real cluster's help speaks of the demo")
	}
}

// A narrow header keeps the demo's speed in its short form, where the long
// one does not fit.
func TestNarrowHeaderKeepsTheShortContext(t *testing.T) {
	d := deps(fixture(), &fakeApply{})
	d.Context, d.ShortContext = "kgotop-demo (simulated, 15× speed)", "kgotop-demo (15× speed)"
	for width, want := range map[int]string{200: "ctx kgotop-demo (simulated, 15× speed)", 80: " kgotop-demo (15× speed)"} {
		if head := strings.Split(screen(start(t, d, width, 24)), "\n")[0]; !strings.Contains(head, want) {
			t.Errorf("%d columns: header %q", width, head)
		}
	}
}
