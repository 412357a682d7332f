package model

import (
	"fmt"
	"strings"
	"time"
)

// RestartSummary says in a few words how often a container restarted and
// why, last first: "4 OOMKilled 3m", "7 CrashLoopBackOff (exit 1)", "0".
// short drops "BackOff" from waiting reasons for narrow columns. severe is
// true for a crash loop or an OOMKill, restarted for any restart or waiting.
func (c Container) RestartSummary(now time.Time, short bool) (text string, restarted, severe bool) {
	n := c.RestartCount()
	last := c.LastTermination()
	waiting := c.Waiting()
	if n == 0 && last == nil && waiting == "" {
		return "0", false, false
	}
	parts := []string{fmt.Sprint(n)}
	if waiting != "" {
		w := waiting
		if short {
			w = strings.TrimSuffix(w, "BackOff")
		}
		parts = append(parts, w)
	}
	if last != nil {
		why := last.Reason
		if why == "" || why == "Error" {
			why = fmt.Sprintf("exit %d", last.ExitCode)
		}
		if waiting != "" {
			why = "(" + why + ")"
		}
		parts = append(parts, why)
		if !last.FinishedAt.IsZero() && waiting == "" {
			parts = append(parts, FormatAge(now.Sub(last.FinishedAt)))
		}
	}
	severe = waiting == "CrashLoopBackOff" || (last != nil && last.Reason == "OOMKilled")
	return strings.Join(parts, " "), true, severe
}

// ProbeSummary lists a container's failing probes: "L✗9 k3 R✗4" (a liveness
// probe's kills as "k3"), "" when none failed.
func (c Container) ProbeSummary() (text string, failures, kills int32) {
	var parts []string
	for _, pf := range c.ProbeFailures {
		s := strings.ToUpper(string(pf.Probe[:1])) + "✗" + fmt.Sprint(pf.Count)
		if pf.Kills > 0 {
			s += fmt.Sprintf(" k%d", pf.Kills)
		}
		parts = append(parts, s)
		failures += pf.Count
		kills += pf.Kills
	}
	return strings.Join(parts, " "), failures, kills
}
