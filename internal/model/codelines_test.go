package model

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBreakCode(t *testing.T) {
	cases := []struct {
		name, line, lang string
		width            int
		want             []string
	}{
		{"fits", "kubectl logs x", "shell", 40, []string{"kubectl logs x"}},
		{"a command goes on after a backslash", "kubectl logs notifier-ae0485bb-dxtnm -n kgotop-demo -c notifier --previous", "shell", 50,
			[]string{"kubectl logs notifier-ae0485bb-dxtnm -n \\", "  kgotop-demo -c notifier --previous"}},
		{"a Go comment goes on as a comment", "db.SetConnMaxLifetime(30 * time.Minute) // longer than your longest query", "go", 50,
			[]string{"db.SetConnMaxLifetime(30 * time.Minute) // longer", "// than your longest query"}},
		{"indent kept", "    value: \"2\"   # only for Go 1.24 and older", "yaml", 30,
			[]string{"    value: \"2\"   # only for Go", "    # 1.24 and older"}},
		{"quotes are not broken", `curl -s "http://localhost:6060/debug/pprof/heap?seconds=30 x" -o heap.out`, "shell", 30,
			[]string{"curl -s \\", `  "http://localhost:6060/debug/pprof/heap?seconds=30 x" \`, "  -o heap.out"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := BreakCode(c.line, c.lang, c.width)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("BreakCode(%q, %d) =\n%s\nwant\n%s", c.line, c.width, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// A kubectl patch broken to any width is the same command: the shell joins
// the lines ended with a backslash, and the JSON argument parses to the same
// value, since the lines inside it break only where JSON allows whitespace.
func TestBreakCodeKeepsAPatchCommand(t *testing.T) {
	const patch = `{"spec":{"template":{"spec":{"containers":[{"name":"api","env":[{"name":"GOGC","value":"a, b {c} [d]"}],"resources":{"limits":{"memory":"484Mi"}}}]}}}}`
	cmd := "kubectl patch deployment api -n shop --type=strategic -p '" + patch + "'"
	for width := 10; width <= 120; width++ {
		lines := BreakCode(cmd, "shell", width)
		joined := ""
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > width && !strings.Contains(l, `"`) && strings.Contains(strings.TrimSpace(strings.TrimSuffix(l, " \\")), " ") {
				t.Errorf("width %d: %q is wider and could have broken", width, l)
			}
			if strings.HasSuffix(l, " \\") {
				joined += strings.TrimSuffix(l, "\\")
			} else {
				joined += l
				if i < len(lines)-1 {
					joined += "\n"
				}
			}
		}
		head, arg, ok := strings.Cut(joined, "'")
		if !ok || strings.Join(strings.Fields(head), " ") != "kubectl patch deployment api -n shop --type=strategic -p" {
			t.Fatalf("width %d: the command's words changed:\n%s", width, strings.Join(lines, "\n"))
		}
		var got, want any
		if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(arg), "'")), &got); err != nil {
			t.Fatalf("width %d: the JSON no longer parses (%v):\n%s", width, err, strings.Join(lines, "\n"))
		}
		json.Unmarshal([]byte(patch), &want)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Fatalf("width %d: the JSON changed: %s", width, gb)
		}
	}
}
