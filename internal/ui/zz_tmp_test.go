package ui
import ("testing";"fmt";"github.com/kgotop/kgotop/internal/advisor")
func TestZZ(t *testing.T){
 s:=fixture()
 for _,a:=range advisor.Advise(s, advisor.Options{}){ if a.Patchable(){fmt.Println(a.ID,a.Held,a.HeldWhy,a.Severity,a.Current.Display,a.Suggested.Display)}}
}
