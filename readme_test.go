package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts/s3store/s3test"
)

// readmeCommand is one command line of the README's fenced sh blocks.
type readmeCommand struct {
	line int
	text string   // as printed, comment stripped
	args []string // after "litho" or "go run ."
}

// readmeCommands returns the litho command lines of the fenced sh
// blocks of the README, in order.
func readmeCommands(t *testing.T, readme []byte) []readmeCommand {
	t.Helper()
	var out []readmeCommand
	inSh := false
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inSh = !inSh && strings.TrimSpace(line) == "```sh"
			continue
		case !inSh:
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("README.md:%d: %v", n, err)
		}
		text := strings.Join(words, " ")
		switch {
		case len(words) > 1 && words[0] == "litho":
			out = append(out, readmeCommand{n, text, words[1:]})
		case len(words) > 3 && strings.HasPrefix(text, "go run . "):
			out = append(out, readmeCommand{n, text, words[3:]})
		}
	}
	return out
}

// shellWords splits a line as sh would for the simple quoting the README
// uses: blanks separate words, single and double quotes group (no
// escapes inside single quotes, a backslash escapes in double quotes and
// bare), and a # that starts a word begins a comment.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'' && r == '\'', quote == '"' && r == '"':
			quote = 0
		case quote == '\'':
			cur.WriteRune(r)
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case quote == '"':
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case r == '#' && !inWord:
			return words, nil
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string]string{
		`litho run   # a comment`:            "litho|run",
		`litho run --set a="b c" 'd e'#f`:    "litho|run|--set|a=b c|d e#f",
		`litho metrics show # gmm.k18.ari …`: "litho|metrics|show",
		`litho x\ y "a\"b"`:                  `litho|x y|a"b`,
	} {
		got, err := shellWords(in)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("shellWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestReadmeCommandsWork runs every command of the README's sh blocks,
// in order, as printed, in one fresh directory against the test MinIO
// (under CI=true a missing server fails, it does not skip).
func TestReadmeCommandsWork(t *testing.T) {
	cfg := s3test.Config(t)
	env := s3test.CLIEnv(cfg)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmds := readmeCommands(t, readme)
	if len(cmds) < 20 {
		t.Fatalf("found only %d README commands: has the tour moved out of sh blocks?", len(cmds))
	}
	for _, c := range cmds {
		if skipReadmeCommand(c) {
			continue
		}
		before(t, dir, env, c)
		r := lithoEnv(t, dir, env, placeholders(dir, c.args)...)
		if !documentedExit(c, r.Code) {
			t.Fatalf("README.md:%d: %s: exit %d\nstdout:\n%s\nstderr:\n%s", c.line, c.text, r.Code, r.Stdout, r.Stderr)
		}
		t.Logf("README.md:%d: %s: exit %d", c.line, c.text, r.Code)
		after(t, dir, c)
	}
}

// skipReadmeCommand leaves out the README's opening commands: `go run .
// run` is the whole default job (a minute; the tour's `litho run` covers
// it on a small pipeline), and scripts/test.sh runs this very test (it is
// not a litho line, so it is not even collected).
func skipReadmeCommand(c readmeCommand) bool {
	return strings.HasPrefix(c.text, "go run . ")
}

// placeholders maps the README's one placeholder, path/to/LILY ("your
// copy of the LILY files"), to generated files that before writes.
func placeholders(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "path/to/LILY" {
			a = filepath.Join(dir, "lily")
		}
		out[i] = a
	}
	return out
}

// before prepares what a command needs beyond the commands above it.
func before(t *testing.T, dir string, env []string, c readmeCommand) {
	t.Helper()
	var prep []string
	switch {
	case strings.Contains(c.text, "path/to/LILY"):
		prep = []string{"synth", "--out", filepath.Join(dir, "lily"), "--boreholes", "12", "--seed", "1"}
	case strings.HasPrefix(c.text, "litho check --baseline base.json"):
		// The baseline a person keeps from an earlier commit, as the
		// README's metrics section says to keep it.
		prep = []string{"export", "--out", "base.json", "evaluate", "metrics"}
	}
	if prep == nil {
		return
	}
	if r := lithoEnv(t, dir, env, prep...); r.Code != 0 {
		t.Fatalf("preparing README.md:%d: litho %s: %s", c.line, strings.Join(prep, " "), r.Stderr)
	}
}

// after shrinks the pipeline `litho init` wrote, so that the tour's runs
// take seconds: what the test checks is the command line, not the science.
func after(t *testing.T, dir string, c readmeCommand) {
	t.Helper()
	if c.text == "litho init" {
		smallPipeline(t, dir)
	}
}

// documentedExit says whether code is what the README promises: check
// exits 1 when a gate fails (a tiny pipeline may well miss the ARI floor).
func documentedExit(c readmeCommand, code int) bool {
	if strings.HasPrefix(c.text, "litho check") {
		return code == 0 || code == 1
	}
	return code == 0
}
