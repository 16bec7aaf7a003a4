package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"litho/cli/clitest"
)

// TestCompletionScripts: `litho completion SHELL` prints the script,
// exactly as kept (bash, zsh), or generated from the commands (fish);
// an unknown shell is bad usage.
func TestCompletionScripts(t *testing.T) {
	dir := t.TempDir()
	for _, sh := range []string{"bash", "zsh"} {
		r := runLitho(t, dir, nil, "completion", sh)
		if r.Code != 0 {
			t.Fatalf("completion %s: exit %d: %s", sh, r.Code, r.Stderr)
		}
		golden(t, "completion."+sh, r.Stdout)
		check := exec.Command(shell(t, sh), "-n")
		check.Stdin = strings.NewReader(r.Stdout)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v: %s", sh, err, out)
		}
	}
	r := runLitho(t, dir, nil, "completion", "fish")
	for _, want := range []string{
		"complete -r -c litho -n '__fish_litho_no_subcommand' -a 'show'",
		"complete -c litho -n 'not __fish_litho_no_subcommand' -a '(__fish_litho_complete)'",
		"complete -c litho -n '__fish_seen_subcommand_from run' -f -l to -r -a '(__fish_litho_complete)'",
	} {
		if r.Code != 0 || !strings.Contains(r.Stdout, want) {
			t.Errorf("completion fish: exit %d, lacks %q", r.Code, want)
		}
	}
	if r := runLitho(t, dir, nil, "completion", "tcsh"); r.Code != 2 || !strings.Contains(r.Stderr, `"tcsh"`) {
		t.Errorf("completion tcsh: exit %d: %s", r.Code, r.Stderr)
	}
}

// linearStages are the stages of testdata/linear.hcl, in its order.
var linearStages = []string{"source", "a", "split", "map", "concat", "slow"}

// TestCompletionCandidates: with urfave/cli's protocol (the words typed,
// the flag-like word at the cursor, --generate-bash-completion), litho
// lists commands, flags, flag values, the pipeline's stages (of --file
// where given, before or after the command) and a stage's outputs. After
// `--` it offers nothing and runs nothing.
func TestCompletionCandidates(t *testing.T) {
	dir := t.TempDir()
	writePipeline(t, dir, "source \"gen\" { n = 1 }\nstage \"upper\" \"up\" {\n  inputs = { in = source.data }\n}\n")
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	other := "../pipeline.hcl" // from sub, which has no pipeline: the embedded one applies there
	cases := []struct {
		args string
		want []string
		has  bool // want lists some of the candidates, not all
	}{
		{args: "", want: []string{"run", "status", "show", "metrics", "completion"}, has: true},
		{args: "show", want: linearStages},
		{args: "why", want: linearStages},
		{args: "show --json", want: linearStages},
		{args: "show a", want: nil},
		{args: "export a", want: []string{"out"}},
		{args: "export --out x a", want: []string{"out"}},
		{args: "export a out", want: nil},
		{args: "push a", want: linearStages},
		{args: "run --to", want: linearStages},
		{args: "run --force", want: linearStages},
		{args: "run -j", want: nil},
		{args: "show --j", want: []string{"--json"}},
		{args: "show a --", want: []string{"--json", "--set", "--help", "--file", "--store"}, has: true},
		{args: "--lo", want: []string{"--log-level", "--lock-timeout"}},
		{args: "--log-level", want: []string{"debug", "info", "warn", "error"}},
		{args: "dag --format", want: []string{"text", "dot", "mermaid"}},
		{args: "metrics", want: []string{"show", "diff"}},
		{args: "completion", want: []string{"bash", "zsh", "fish"}},
		{args: "--file " + other + " show", want: []string{"source", "up"}},
		{args: "show --file " + other, want: []string{"source", "up"}},
		{args: "run -- a", want: nil},
	}
	for _, c := range cases {
		args := append(strings.Fields(c.args), "--generate-bash-completion")
		r := runLitho(t, filepath.Join(dir, "sub"), nil, args...)
		got := strings.Fields(r.Stdout)
		ok := slices.Equal(got, c.want)
		if c.has {
			ok = !slices.ContainsFunc(c.want, func(w string) bool { return !slices.Contains(got, w) })
		}
		if r.Code != 0 || r.Stderr != "" || !ok {
			t.Errorf("litho %s --generate-bash-completion: exit %d, %q (stderr %q); want %q", c.args, r.Code, got, r.Stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub", ".litho")); err == nil {
		t.Error("completion created a store: it ran a command")
	}
}

// shell finds a shell the completion tests drive; scripts/test.sh
// installs zsh and fish, so under CI=true a missing one is a failure.
func shell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path
	case os.Getenv("CI") == "true":
		t.Fatalf("%s is not installed: scripts/test.sh installs it", name)
	default:
		t.Skipf("no %s (scripts/test.sh installs it)", name)
	}
	return ""
}

// TestBashCompletion sources `litho completion bash` in bash, as the
// README says to, and completes command lines as a user's Tab would.
func TestBashCompletion(t *testing.T) {
	bash := shell(t, "bash")
	cases := map[string][]string{
		"litho sh":         {"show"},
		"litho show ":      linearStages,
		"litho show s":     {"source", "split", "slow"},
		"litho show --j":   {"--json"},
		"litho export a ":  {"out"},
		"litho run --to c": {"concat"},
		// bash splits COMP_WORDS at = and :; the request must not.
		"litho --log-level=info show s": {"source", "split", "slow"},
	}
	for line, want := range cases {
		script := `source <(litho completion bash)
f=$(complete -p litho | sed -n 's/.*-F \([^ ]*\).*/\1/p')
words=${LINE//=/ = } # split as bash's COMP_WORDBREAKS does
read -ra COMP_WORDS <<<"${words//:/ : }"
[[ $LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$LINE COMP_POINT=${#LINE}
"$f" litho "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
		r := runShell(t, bash, script, "LINE="+line)
		if got := strings.Fields(r.Stdout); r.Code != 0 || !slices.Equal(got, want) {
			t.Errorf("%q<Tab>: exit %d, %q, want %q; stderr: %s", line, r.Code, got, want, r.Stderr)
		}
	}
}

// TestFishCompletion does the same in fish, where fish is installed.
func TestFishCompletion(t *testing.T) {
	fish := shell(t, "fish")
	cases := map[string][]string{
		"litho sh":         {"show"},
		"litho show ":      {"a", "concat", "map", "slow", "source", "split"},
		"litho export a ":  {"out"},
		"litho run --to c": {"concat"},
	}
	for line, want := range cases {
		r := runShell(t, fish, `litho completion fish | source; complete -C "$LINE" | cut -f1`, "LINE="+line)
		if got := strings.Fields(r.Stdout); r.Code != 0 || !slices.Equal(got, want) {
			t.Errorf("%q<Tab>: exit %d, %q, want %q; stderr: %s", line, r.Code, got, want, r.Stderr)
		}
	}
}

// runShell runs script in shell with this test binary on PATH as litho.
func runShell(t *testing.T, shell, script string, env ...string) result {
	t.Helper()
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "litho")); err != nil {
		t.Fatal(err)
	}
	cmd := litho(t, t.TempDir(), append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")))
	cmd.Path, cmd.Args = shell, []string{shell, "-c", script}
	return clitest.Run(t, cmd)
}
