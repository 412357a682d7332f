package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// The detail view's P90 is the number the advice quotes, to the millicore
// and the byte: the same histogram and percentile, rounded up the same way
// (the rounding is the ui's and the advisor's each; this keeps them equal).
func TestDetailP90IsTheAdvicesP90(t *testing.T) {
	s := fixture()
	for i, cpu := range []int64{97, 311, 733, 971, 1234} { // P90s that fall between two millicores
		name := "tuned-" + string(rune('a'+i))
		c := model.Container{Name: name, Image: "registry.shop/" + name + ":1", Resources: res(3*cpu, 256*mi, 0, 1024*mi),
			Instances: []model.ContainerInstance{instance(name+"-0", cpu, 100*mi)},
			Usage:     history(8*time.Hour, []string{name + "-0"}, cpu, 100*mi, 3*cpu)}
		s.Workloads = append(s.Workloads, deploy(model.KindDeployment, name, 1, 1, c))
	}
	m := start(t, deps(s, nil), 200, 50)
	checked, fractional := map[string]int{}, 0
	for i, w := range m.snap.Workloads {
		for _, c := range w.Containers {
			if c.Usage == nil {
				continue
			}
			cpu, mem := historyStats(c.Usage)
			if float64(cpu.p90) != c.Usage.CPU.CappedPercentile(0.9, float64(cpu.peak)/1000)*1000 {
				fractional++
			}
			for _, a := range forContainer(m.table.rows[i].advice, c.Name) {
				for _, e := range a.Evidence {
					var got int64
					switch {
					case e.Label == "P90" && e.Unit == advisor.Millicores:
						got = cpu.p90
					case e.Label == "P90 peak" && e.Unit == advisor.Bytes:
						got = mem.p90
					default:
						continue
					}
					if e.Number == nil || int64(*e.Number) != got {
						t.Errorf("%s/%s %s: the advice says %s, the detail %d", w.Ref.Name, c.Name, e.Label, e.Value, got)
					}
					checked[e.Label]++
				}
			}
			lines, _ := detailText(w, m.table.rows[i].advice, 200)
			if want := "P90 " + model.FormatCPU(cpu.p90) + " "; !strings.Contains(lines, want) {
				t.Errorf("%s/%s: detail lacks %q", w.Ref.Name, c.Name, want)
			}
		}
	}
	if checked["P90"] < 5 || checked["P90 peak"] == 0 || fractional == 0 {
		t.Fatalf("the fixture should have CPU and memory P90 evidence to compare, a P90 to round up among them: %v, %d", checked, fractional)
	}
}

// detailText is a workload's detail view as text.
func detailText(w model.Workload, as []advisor.Advice, width int) (string, map[string]int) {
	_, lines, anchors := detailLines(&w, as, availability(w, as), t0, width, DefaultStyles())
	return ansi.Strip(strings.Join(lines, "\n")), anchors
}

// Sparklines are scaled as the table's bars are, for how close usage comes
// to the edge: full at the limit, or at the request when there is no limit;
// the key after ┤ says which, and the caption what one bar stands for.
func TestSparklines(t *testing.T) {
	s := fixture()
	orders, mailer, web := s.Workloads[6], s.Workloads[2], s.Workloads[5]
	keyed := func(text, label string) string {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, " "+label+"  now") && i+1 < len(lines) {
				return lines[i+1]
			}
		}
		t.Fatalf("no %s sparkline in\n%s", label, text)
		return ""
	}
	text, _ := detailText(orders, nil, 160)
	cpu := keyed(text, "CPU") // about 190m of a 1-core limit: a fifth of the height
	bars, key, _ := strings.Cut(strings.TrimSpace(cpu), " ┤")
	if strings.ContainsAny(bars, "▄▅▆▇█") || !strings.Contains(bars, "▂") || key != " limit 1" {
		t.Errorf("a CPU at a fifth of its limit should draw low bars keyed to the limit: %q", cpu)
	}
	if mem := keyed(text, "MEM"); !strings.ContainsAny(mem, "▇█") || !strings.HasSuffix(mem, "┤ limit 384Mi") {
		t.Errorf("a memory near its limit should draw full bars: %q", mem)
	}
	if !strings.Contains(text, "one per metrics window") {
		t.Errorf("28 points in 160 columns are one bar each:\n%s", text)
	}
	webText, _ := detailText(web, nil, 160)
	if cpu := keyed(webText, "CPU"); !strings.HasSuffix(cpu, "┤ request 300m (no limit)") {
		t.Errorf("without a limit the bars are scaled to the request: %q", cpu)
	}
	text, _ = detailText(mailer, nil, 80)
	if !strings.Contains(strings.ReplaceAll(text, "\n      ", " "), "each the highest of ~4 metrics windows") {
		t.Errorf("200 points in under 80 columns: the caption should say how many a bar stands for:\n%s", text)
	}
}

// distinct returns the different runes of s.
func distinct(s string) map[rune]bool {
	out := map[rune]bool{}
	for _, r := range s {
		out[r] = true
	}
	return out
}

// A current value that names its label says it once: "1 restart", not
// "restarts 1 restart".
func TestAdviceChangeSaysALabelOnce(t *testing.T) {
	for _, c := range []struct {
		cur, sug, want string
	}{
		{"1 restart", "fix the liveness probe", "1 restart → fix the liveness probe"},
		{"107 restarts", "", "107 restarts"},
		{"", "2", "restarts → 2"},
	} {
		a := advisor.Advice{Kind: advisor.KindRestarts, Current: advisor.Value{Display: c.cur}, Suggested: advisor.Value{Display: c.sug}}
		if got := adviceChange(a); got != c.want {
			t.Errorf("adviceChange(%q, %q) = %q, want %q", c.cur, c.sug, got, c.want)
		}
	}
}
