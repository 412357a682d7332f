package ui

import (
	"testing"

	"github.com/kgotop/kgotop/internal/model"
)

// The light theme darkens what washes out on white and keeps the rest.
func TestThemes(t *testing.T) {
	def, light := DefaultStyles(), LightStyles()
	for name, pair := range map[string][2]string{
		"warn": {def.render(model.Near, "x"), light.render(model.Near, "x")},
		"dim":  {def.render(model.Idle, "x"), light.render(model.Idle, "x")},
		"code": {def.Code.Render("x"), light.Code.Render("x")},
	} {
		if pair[0] == pair[1] {
			t.Errorf("%s renders the same in both themes: %q", name, pair[0])
		}
	}
	if def.Selected.Render("x") != light.Selected.Render("x") {
		t.Error("the light theme changed the selection, which reverse video already fits to any background")
	}
	for _, theme := range Themes() {
		if _, err := StylesFor(theme); err != nil {
			t.Errorf("StylesFor(%q): %v", theme, err)
		}
	}
	if _, err := StylesFor("solarized"); err == nil {
		t.Error("an unknown theme was accepted")
	}
	m := New(Deps{Theme: "light"})
	if m.styles.Warn.Render("x") != light.Warn.Render("x") {
		t.Error("Deps.Theme light did not reach the dashboard's styles")
	}
}
