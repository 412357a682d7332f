package ui

import (
	"fmt"

	"charm.land/lipgloss/v2"

	"github.com/kgotop/kgotop/internal/model"
)

// Styles are every style the dashboard uses, in one place. Colour carries
// meaning only: red is over a limit or critical, yellow near a limit or a
// warning, dim idle or unknown, green reassurance. The terminal's colour
// profile (NO_COLOR included) is applied by Bubble Tea when it draws.
type Styles struct {
	Title     lipgloss.Style
	Header    lipgloss.Style
	Column    lipgloss.Style
	Selected  lipgloss.Style
	Rule      lipgloss.Style
	Key       lipgloss.Style
	Code      lipgloss.Style
	Dim       lipgloss.Style
	Good      lipgloss.Style
	Warn      lipgloss.Style
	Bad       lipgloss.Style
	Emphasis  lipgloss.Style
	Plain     lipgloss.Style
	SparkBase lipgloss.Style
	// every styles Normal text too (Plain): the selected line's Styles,
	// whose every piece is drawn in reverse video.
	every bool
}

// DefaultStyles returns the dashboard's styles, in the 16 basic colours so
// that they read the same on light and dark terminals.
func DefaultStyles() Styles {
	return Styles{
		Title:     lipgloss.NewStyle().Bold(true).Reverse(true),
		Header:    lipgloss.NewStyle(),
		Column:    lipgloss.NewStyle().Bold(true),
		Selected:  lipgloss.NewStyle().Reverse(true).Bold(true),
		Rule:      lipgloss.NewStyle().Faint(true),
		Key:       lipgloss.NewStyle().Bold(true),
		Code:      lipgloss.NewStyle().Foreground(lipgloss.Cyan),
		Dim:       lipgloss.NewStyle().Faint(true),
		Good:      lipgloss.NewStyle().Foreground(lipgloss.Green),
		Warn:      lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		Bad:       lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
		Emphasis:  lipgloss.NewStyle().Bold(true),
		Plain:     lipgloss.NewStyle(),
		SparkBase: lipgloss.NewStyle().Foreground(lipgloss.Blue),
	}
}

// LightStyles returns the styles for a light terminal background. The basic
// yellow and cyan wash out on white in many terminal palettes, and faint text
// fades to nothing, so warnings, code and dim text take darker tones of the
// 256 colours (which a terminal's theme does not remap); the rest is
// DefaultStyles.
func LightStyles() Styles {
	s := DefaultStyles()
	s.Code = lipgloss.NewStyle().Foreground(lipgloss.Color("25"))            // dark blue
	s.Good = lipgloss.NewStyle().Foreground(lipgloss.Color("28"))            // dark green
	s.Warn = lipgloss.NewStyle().Foreground(lipgloss.Color("130"))           // dark orange
	s.Bad = lipgloss.NewStyle().Foreground(lipgloss.Color("160")).Bold(true) // dark red
	s.Dim = lipgloss.NewStyle().Foreground(lipgloss.Color("243"))            // mid grey
	s.Rule = lipgloss.NewStyle().Foreground(lipgloss.Color("250"))           // light grey
	s.SparkBase = lipgloss.NewStyle().Foreground(lipgloss.Color("25"))
	return s
}

// Themes are the names StylesFor knows.
func Themes() []string { return []string{"default", "light"} }

// StylesFor returns the styles of a theme: "default" ("" too), which reads
// on dark and most light terminals, or "light".
func StylesFor(theme string) (Styles, error) {
	switch theme {
	case "", "default":
		return DefaultStyles(), nil
	case "light":
		return LightStyles(), nil
	}
	return Styles{}, fmt.Errorf("theme %q: want default or light", theme)
}

// of returns the style of a level: the one thing a model.Level leaves to
// each front end.
func (s Styles) of(l model.Level) lipgloss.Style {
	switch l {
	case model.Idle:
		return s.Dim
	case model.Good:
		return s.Good
	case model.Near:
		return s.Warn
	case model.Over:
		return s.Bad
	}
	return s.Plain
}

// render styles text at a level; normal text is returned as it is, which
// keeps the common case free of escape codes and fast (but for the
// selected line's Styles, see selected).
func (s Styles) render(l model.Level, text string) string {
	if (l == model.Normal && !s.every) || text == "" {
		return text
	}
	return s.of(l).Render(text)
}

// selected returns the styles of the selected table line: each level's
// colour kept, in reverse video, so that a critical line shows red when
// the cursor is on it too.
func (s Styles) selected() Styles {
	sel := s
	for _, st := range []*lipgloss.Style{&sel.Plain, &sel.Dim, &sel.Good, &sel.Warn, &sel.Bad} {
		*st = st.Inherit(s.Selected)
	}
	sel.every = true
	return sel
}
