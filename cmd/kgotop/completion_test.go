package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// kgotopOnPath puts the test binary on a PATH of its own under kgotop's
// names (TestMain runs main when KGOTOP_TEST_MAIN=1) and returns the
// environment that runs it, with kubeconfig as the KUBECONFIG.
func kgotopOnPath(t *testing.T, kubeconfig string) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, name := range []string{"kgotop", "kubectl-gotop", "kubectl_complete-gotop"} {
		if err := os.Symlink(self, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"KGOTOP_TEST_MAIN=1", "KUBECONFIG="+kubeconfig, "HOME="+t.TempDir())
}

// completionKubeconfig writes a kubeconfig whose context live reaches a
// server that lists namespaces, while prod and staging reach nothing.
func completionKubeconfig(t *testing.T, liveNamespaces []string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/namespaces" {
			http.NotFound(w, r)
			return
		}
		items := []map[string]any{}
		for _, n := range liveNamespaces {
			items = append(items, map[string]any{"metadata": map[string]string{"name": n}})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"kind": "NamespaceList", "apiVersion": "v1", "items": items})
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(path, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- {name: live-cluster, cluster: {server: %q}}
- {name: gone-cluster, cluster: {server: "https://127.0.0.1:1"}}
users: [{name: alice, user: {}}, {name: bob, user: {}}]
contexts:
- {name: live, context: {cluster: live-cluster, user: alice, namespace: shop}}
- {name: prod, context: {cluster: gone-cluster, user: bob, namespace: payments}}
- {name: staging, context: {cluster: gone-cluster, user: bob, namespace: web}}
current-context: live
`, srv.URL)), 0o600)
	return path
}

// completionCase is a command line and the candidates for its last word;
// shell marks the cases the bash test runs through the script too (each is a
// process of the race-built test binary: a few are enough to show the script
// passes the words through, the rest run in the test's own process).
type completionCase struct {
	line  string
	want  []string
	shell bool
}

// completionCases are the candidate lists the settings table and the
// kubeconfig of completionKubeconfig give, live being the cluster's namespaces.
func completionCases(live []string) []completionCase {
	var flags []string // every flag starting --me
	for _, s := range newOptions("kgotop", pflag.NewFlagSet("t", pflag.ContinueOnError)).settings() {
		if strings.HasPrefix(s.name, "me") {
			flags = append(flags, "--"+s.name)
		}
	}
	slices.Sort(flags)
	return []completionCase{
		{"kgotop --me", flags, true},
		{"kgotop --context ", []string{"live", "prod", "staging"}, true},
		{"kgotop --cluster ", []string{"gone-cluster", "live-cluster"}, false},
		{"kgotop --user b", []string{"bob"}, false},
		{"kgotop -n ", live, true},                                               // from the cluster
		{"kgotop --context prod -n ", []string{"payments", "shop", "web"}, true}, // its cluster is gone: from the kubeconfig
		{"kgotop --memory-qos ", []string{"auto", "burstable", "guaranteed"}, false},
		{"kgotop --theme ", []string{"default", "light"}, false},
		{"kgotop -o j", []string{"json"}, false},
		{"kgotop --fail-on ", []string{"critical", "info", "warning"}, false},
		{"kgotop con", []string{"config"}, false},
		{"kgotop config ", []string{"view"}, false},
		{"kgotop completion ", []string{"bash", "fish", "powershell", "zsh"}, false},
	}
}

// Each word's candidates, as cobra's __complete gives them to every shell's script.
func TestCompletionCandidates(t *testing.T) {
	live := []string{"kgotop-demo", "kube-system", "shop"}
	t.Setenv("KUBECONFIG", completionKubeconfig(t, live))
	for _, c := range completionCases(live) {
		words := strings.Fields(c.line)
		if strings.HasSuffix(c.line, " ") {
			words = append(words, "")
		}
		var stdout, stderr strings.Builder
		if code := run(t.Context(), append([]string{"__complete"}, words[1:]...), &stdout, &stderr); code != exitOK {
			t.Fatalf("%q: exit %d, %s", c.line, code, stderr.String())
		}
		var got []string
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(l, ":") {
				break // the directive ends the candidates
			}
			name, _, _ := strings.Cut(l, "\t") // the rest is the description
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q completes to %q, want %q", c.line, got, c.want)
		}
	}
}

// The bash script, run by bash as a shell runs it on tab: complete -p says
// kgotop is completed by it, and words complete to the lists above.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on PATH")
	}
	live := []string{"kgotop-demo", "kube-system", "shop"}
	env := kgotopOnPath(t, completionKubeconfig(t, live))
	var cases []completionCase
	for _, c := range completionCases(live) {
		if c.shell {
			cases = append(cases, c)
		}
	}
	var script strings.Builder
	script.WriteString(`if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	source /usr/share/bash-completion/bash_completion
else # bash-completion's function, cut to what cobra's script asks of it
	_get_comp_words_by_ref() {
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	}
fi
source <(kgotop completion bash)
complete -p kgotop
# compopt works only while bash itself completes: here it is a no-op.
compopt() { :; }
# comp LINE: the candidates bash offers for LINE's last word, one a line.
comp() {
	local line=$1
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line} COMPREPLY=()
	"$(complete -p "${COMP_WORDS[0]}" | sed 's/.* -F \([^ ]*\) .*/\1/')"
	printf '%s\n' "${COMPREPLY[@]}" | awk '{print $1}' | sort
	echo "=="
}
`)
	for _, c := range cases {
		fmt.Fprintf(&script, "comp %q\n", c.line)
	}
	cmd := exec.Command(bash, "-c", script.String())
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	first, rest, _ := strings.Cut(string(out), "\n")
	if first != "complete -o default -F __start_kgotop kgotop" {
		t.Errorf("complete -p kgotop = %q", first)
	}
	got := strings.Split(strings.TrimSuffix(rest, "==\n"), "==\n")
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d lines:\n%s", len(got), len(cases), out)
	}
	for i, c := range cases {
		if lines := strings.Fields(got[i]); !slices.Equal(lines, c.want) {
			t.Errorf("%q completes to %q, want %q", c.line, lines, c.want)
		}
	}
}

// kubectl completes `kubectl gotop ...` through kubectl_complete-gotop,
// which is kgotop too.
func TestKubectlPluginCompletion(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	env := kgotopOnPath(t, completionKubeconfig(t, nil))
	cmd := exec.Command(kubectl, "__complete", "gotop", "--context", "")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl __complete: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, []string{"live", "prod", "staging", ":4"}) {
		t.Errorf("kubectl gotop --context completes to %q", got)
	}
}

// The other shells' scripts come from the same command and call it back.
func TestOtherShellsCompletion(t *testing.T) {
	for _, shell := range []string{"zsh", "fish", "powershell"} {
		var stdout, stderr strings.Builder
		if code := run(t.Context(), []string{"completion", shell}, &stdout, &stderr); code != exitOK ||
			!strings.Contains(stdout.String(), "__complete") || !strings.Contains(stdout.String(), "kgotop") {
			t.Errorf("%s: exit %d, stderr %q, script of %d bytes", shell, code, stderr.String(), stdout.Len())
		}
	}
}
