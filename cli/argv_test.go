package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestReorderArgs: each command's flags (with their values) move ahead of
// its positional arguments, global flags move before the command, and
// `--` ends flags.
func TestReorderArgs(t *testing.T) {
	app := (&Env{}).App()
	cases := []struct{ in, want string }{
		{"show bin --json", "show --json bin"},
		{"export bin bins --out x --format csv", "export --out x --format csv bin bins"},
		{"export bin bins --out=x --force", "export --out=x --force bin bins"},
		{"why train --set train.beta=2 --json", "why --set train.beta=2 --json train"},
		{"metrics diff run~1 current --md", "metrics diff --md run~1 current"},
		{"metrics diff a b --stage ev", "metrics diff --stage ev a b"},
		{"show bin --store s --log-level error", "--store s --log-level error show bin"},
		{"gc --remote --yes", "gc --remote --yes"},
		{"show -- --json", "show -- --json"},
		{"export a b -- --out x", "export a b -- --out x"},
		{"run --to a -j 2", "run --to a -j 2"},
		{"show bin --nope", "show --nope bin"},
		{"--file p.hcl show bin --json", "--file p.hcl show --json bin"},
		{"nosuch a --json", "nosuch a --json"},
		{"show --set -x bin", "show --set -x bin"},
		{"show bin -h", "show -h"},
		{"metrics diff a b --help", "metrics diff --help"},
		// The shell completion flag stays last, where urfave looks for it.
		{"show bin --json --generate-bash-completion", "show --json bin --generate-bash-completion"},
		{"export bin --out x --generate-bash-completion", "export --out x bin --generate-bash-completion"},
		{"show bin --store s --generate-bash-completion", "--store s show bin --generate-bash-completion"},
		{"--generate-bash-completion", "--generate-bash-completion"},
	}
	for _, c := range cases {
		in := append([]string{"litho"}, strings.Fields(c.in)...)
		got := strings.Join(reorderArgs(app, in)[1:], " ")
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
	if got := reorderArgs(app, []string{"litho"}); !slices.Equal(got, []string{"litho"}) {
		t.Errorf("bare litho: %q", got)
	}
}
