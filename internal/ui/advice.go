package ui

import (
	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// kindLabel names a kind of advice.
func kindLabel(k advisor.Kind) string { return k.Label() }

// adviceChange says what a piece of advice changes: "memory limit 384Mi →
// 484Mi", or only its label when it names no value. A current value that
// names itself ("107 restarts", "1 restart") is not labelled twice.
func adviceChange(a advisor.Advice) string {
	s := kindLabel(a.Kind)
	if cur := a.Current.Display; cur != "" && model.Labelled(s, cur, " ") == cur {
		if a.Suggested.Display == "" {
			return cur
		}
		return cur + " → " + a.Suggested.Display
	}
	switch {
	case a.Suggested.Display == "":
		return s
	case a.Current.Display == "":
		return s + " → " + a.Suggested.Display
	}
	return s + " " + a.Current.Display + " → " + a.Suggested.Display
}
