package ui

import (
	"github.com/kgotop/kgotop/internal/advisor"
)

// kindLabel names a kind of advice.
func kindLabel(k advisor.Kind) string { return k.Label() }

// adviceChange says what a piece of advice changes: "memory limit 384Mi →
// 484Mi", or only its label when it names no value.
func adviceChange(a advisor.Advice) string {
	s := kindLabel(a.Kind)
	switch {
	case a.Suggested.Display == "":
		return s
	case a.Current.Display == "":
		return s + " → " + a.Suggested.Display
	}
	return s + " " + a.Current.Display + " → " + a.Suggested.Display
}
