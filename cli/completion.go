package cli

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion follows urfave/cli's protocol: the scripts run litho
// with the words typed so far, the word at the cursor when it starts with
// "-", and completionFlag last; litho prints one candidate a line. So the
// candidates come from the pipeline as it stands (--file included).
const completionFlag = "--generate-bash-completion"

var (
	//go:embed completion/litho.bash
	bashCompletion string
	//go:embed completion/litho.zsh
	zshCompletion string
)

// fishDynamic follows the script urfave/cli generates for fish (commands
// and flags, with descriptions): positional arguments and flag values
// come from litho itself.
const fishDynamic = `
# Stages, outputs and flag values come from litho, which reads the pipeline.
function __fish_litho_complete
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        return
    end
    set -l words (commandline -opc)
    $words ` + completionFlag + ` 2>/dev/null
end
complete -c litho -n 'not __fish_litho_no_subcommand' -a '(__fish_litho_complete)'
`

// fishValueFlags lets fish complete the values of flags that take a
// stage or one of a few words: fish asks an option's own entry for them.
func fishValueFlags(app *cli.App) string {
	var b strings.Builder
	fishFlagValues(&b, "", "__fish_litho_no_subcommand", app.Flags)
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			fishFlagValues(&b, cmd.Name, "__fish_seen_subcommand_from "+cmd.Name, cmd.Flags)
			walk(cmd.Subcommands)
		}
	}
	walk(app.Commands)
	return b.String()
}

func fishFlagValues(b *strings.Builder, cmd, cond string, flags []cli.Flag) {
	for _, f := range flags {
		name := f.Names()[0]
		if v, ok := f.(cli.DocGenerationFlag); ok && v.TakesValue() && valuesCompleted(cmd, name) {
			fmt.Fprintf(b, "complete -c litho -n '%s' -f -l %s -r -a '(__fish_litho_complete)'\n", cond, name)
		}
	}
}

var shells = []string{"bash", "zsh", "fish"}

func (e *Env) completionCommand() *cli.Command {
	return &cli.Command{
		Name:         "completion",
		Usage:        "print the shell completion script: bash, zsh or fish",
		ArgsUsage:    "SHELL",
		BashComplete: e.completeArgs(func(*cli.Context) []string { return shells }),
		Action:       e.completion,
	}
}

func (e *Env) completion(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("completion needs one SHELL: %s", strings.Join(shells, ", "))
	}
	script := ""
	switch sh := c.Args().First(); sh {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		s, err := c.App.ToFishCompletion()
		if err != nil {
			return err
		}
		script = s + fishDynamic + fishValueFlags(c.App)
	default:
		return usagef("completion: unknown shell %q; want %s", sh, strings.Join(shells, ", "))
	}
	_, err := fmt.Fprint(e.Stdout, script)
	return err
}

// typedFlagKey carries the flag-like word a completion request ends in.
type typedFlagKey struct{}

// completionRequest prepares a completion request (args ending in
// completionFlag) for urfave/cli. A last word that starts with "-" (a
// flag being typed, or one whose value is wanted) moves from args into
// ctx for the completion functions: left in, urfave's parser would drop
// it, and a lone "--" would turn urfave's completion off and run the
// command. skip is true when an earlier word is "--": only positional
// arguments follow, and litho offers none (the shell falls back to files).
func completionRequest(ctx context.Context, args []string) (_ context.Context, _ []string, skip bool) {
	n := len(args)
	if n < 2 || args[n-1] != completionFlag {
		return ctx, args, false
	}
	words := args[1 : n-1]
	if last := len(words) - 1; last >= 0 && strings.HasPrefix(words[last], "-") {
		ctx = context.WithValue(ctx, typedFlagKey{}, words[last])
		words = words[:last]
	}
	if slices.Contains(words, "--") {
		return ctx, nil, true
	}
	return ctx, append(append([]string{args[0]}, words...), completionFlag), false
}

// candidates lists what may stand at a place on the command line.
type candidates func(c *cli.Context) []string

// completeArgs completes the i-th positional argument from args[i],
// flags and their values, and subcommands.
func (e *Env) completeArgs(args ...candidates) cli.BashCompleteFunc {
	return e.completer(args, nil)
}

// completeEach completes every positional argument from each.
func (e *Env) completeEach(each candidates) cli.BashCompleteFunc {
	return e.completer(nil, each)
}

func (e *Env) completer(args []candidates, more candidates) cli.BashCompleteFunc {
	return func(c *cli.Context) {
		for _, s := range e.completions(c, args, more) {
			fmt.Fprintln(c.App.Writer, s)
		}
	}
}

func (e *Env) completions(c *cli.Context, args []candidates, more candidates) []string {
	if typed, ok := c.Context.Value(typedFlagKey{}).(string); ok {
		f := exactFlag(c, typed)
		if f == nil {
			return flagNames(c, typed)
		}
		if v, ok := f.(cli.DocGenerationFlag); ok && v.TakesValue() {
			return e.flagValues(c, f.Names()[0])
		}
		// A complete switch: what follows it is wanted.
	}
	var subs []string
	for _, s := range c.Command.VisibleCommands() {
		if s.Name != "help" { // urfave's, beside --help
			subs = append(subs, s.Names()...)
		}
	}
	if len(subs) > 0 {
		return subs
	}
	switch i := c.NArg(); {
	case i < len(args):
		return args[i](c)
	case more != nil:
		return more(c)
	}
	return nil
}

// completionFlags are the flags that may follow the command: its own and
// the global ones.
func completionFlags(c *cli.Context) []cli.Flag {
	return append(slices.Clone(c.Command.VisibleFlags()), c.App.VisibleFlags()...)
}

// flagSpelling is a flag name as typed: -x for one letter, --name else.
func flagSpelling(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// exactFlag is the flag that typed spells in full, or nil when typed is
// only the beginning of one (--j is the start of --json, not -j).
func exactFlag(c *cli.Context, typed string) cli.Flag {
	for _, f := range completionFlags(c) {
		for _, n := range f.Names() {
			if flagSpelling(n) == typed {
				return f
			}
		}
	}
	return nil
}

func flagNames(c *cli.Context, prefix string) []string {
	var out []string
	for _, f := range completionFlags(c) {
		for _, n := range f.Names() {
			if s := flagSpelling(n); strings.HasPrefix(s, prefix) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// flagChoices are the values of flags that take one of a few words, by
// "command.flag" or, for global flags, "flag".
var flagChoices = map[string][]string{
	"log-level":     {"debug", "info", "warn", "error"},
	"dag.format":    {"text", "dot", "mermaid"},
	"export.format": {"parquet", "csv", "safetensors"},
}

// stageFlags are the flags whose value, where they take one, is a stage
// of the pipeline (run --to, run --force, --stage).
var stageFlags = map[string]bool{"to": true, "force": true, "stage": true}

// valuesCompleted says whether flagValues has candidates for the flag.
func valuesCompleted(cmd, flag string) bool {
	_, choice := flagChoices[cmd+"."+flag]
	_, global := flagChoices[flag]
	return stageFlags[flag] || choice || global
}

// flagValues completes a flag's value; nothing for a file or a number
// (the shell then offers files).
func (e *Env) flagValues(c *cli.Context, name string) []string {
	if stageFlags[name] {
		return e.stageNames(c)
	}
	if v, ok := flagChoices[c.Command.Name+"."+name]; ok {
		return v
	}
	return flagChoices[name]
}

// stageNames are the pipeline's stages; nothing when it does not parse.
func (e *Env) stageNames(c *cli.Context) []string {
	p, _, err := e.loadPipeline(c)
	if err != nil {
		return nil
	}
	return p.NodeNames()
}

// outputNames are the outputs of the stage given as first argument.
func (e *Env) outputNames(c *cli.Context) []string {
	p, _, err := e.loadPipeline(c)
	if err != nil {
		return nil
	}
	n, ok := p.Node(c.Args().First())
	if !ok {
		return nil
	}
	var out []string
	for _, o := range n.Kind.Outputs {
		out = append(out, o.Name)
	}
	return out
}

// metricsRefs are the metrics REFs a pipeline offers by name: current and
// the stages that write metrics (run~N and files are typed).
func (e *Env) metricsRefs(c *cli.Context) []string {
	p, _, err := e.loadPipeline(c)
	if err != nil {
		return nil
	}
	out := []string{"current"}
	for _, n := range p.Nodes {
		if _, ok := n.Kind.Output("metrics"); ok {
			out = append(out, n.Name)
		}
	}
	return out
}

// setCompletion completes commands, flags and subcommands wherever a
// command names nothing more specific.
func (e *Env) setCompletion(cmds []*cli.Command) {
	for _, c := range cmds {
		if c.BashComplete == nil {
			c.BashComplete = e.completeArgs()
		}
		e.setCompletion(c.Subcommands)
	}
}
