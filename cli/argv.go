package cli

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs moves each command's flags ahead of its positional
// arguments, because urfave/cli v2 stops parsing flags at the first
// positional one: `litho show bin --json` becomes `litho show --json bin`.
// Global flags given after the command move before it. `--` ends flags;
// it and everything after it stay where they are, in order. The shell
// completion flag stays last, where urfave looks for it.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	if n := len(args); n > 1 && args[n-1] == completionFlag {
		return append(reorderArgs(app, args[:n-1]), completionFlag)
	}
	global, rest := splitLeadingFlags(app.Flags, args[1:])
	out := append([]string{args[0]}, global...)
	if len(rest) == 0 {
		return out
	}
	cmd := findCommand(app.Commands, rest[0])
	if cmd == nil {
		return append(out, rest...)
	}
	cmdArgs, moved := reorderCommand(cmd, app.Flags, rest[1:])
	out = append(out, moved...)
	return append(append(out, rest[0]), cmdArgs...)
}

// reorderCommand reorders one command's arguments, descending into its
// subcommands; it returns them and the global flags found among them.
func reorderCommand(cmd *cli.Command, global []cli.Flag, args []string) (cmdArgs, moved []string) {
	if len(cmd.Subcommands) > 0 {
		lead, rest := splitLeadingFlags(cmd.Flags, args)
		if len(rest) > 0 {
			if sub := findCommand(cmd.Subcommands, rest[0]); sub != nil {
				subArgs, m := reorderCommand(sub, global, rest[1:])
				return append(append(lead, rest[0]), subArgs...), m
			}
		}
		return args, nil
	}
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			continue
		}
		n := flagLen(cmd.Flags, args[i:])
		if f := lookupFlag(cmd.Flags, a); f == nil && lookupFlag(global, a) != nil {
			n = flagLen(global, args[i:])
			moved = append(moved, args[i:i+n]...)
		} else {
			flags = append(flags, args[i:i+n]...)
		}
		i += n - 1
	}
	if slices.ContainsFunc(flags, isHelp) {
		// `litho show bin -h` asks for show's help; urfave would read
		// "bin" as a help topic.
		return flags, moved
	}
	return append(flags, positional...), moved
}

func isHelp(a string) bool { return a == "-h" || a == "--help" }

// splitLeadingFlags splits args into the flags (with their values) that
// precede the first positional argument, and the rest.
func splitLeadingFlags(flags []cli.Flag, args []string) (lead, rest []string) {
	i := 0
	for i < len(args) && isFlag(args[i]) && args[i] != "--" {
		i += flagLen(flags, args[i:])
	}
	i = min(i, len(args))
	return args[:i], args[i:]
}

// isFlag reports whether a looks like a flag; "-" alone names stdin.
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// flagLen is how many arguments the flag at args[0] spans: two for a
// flag that takes a value not joined with "=", else one. Unknown flags
// count as one so urfave reports them.
func flagLen(flags []cli.Flag, args []string) int {
	if strings.Contains(args[0], "=") || len(args) < 2 {
		return 1
	}
	f := lookupFlag(flags, args[0])
	if v, ok := f.(cli.DocGenerationFlag); ok && v.TakesValue() {
		return 2
	}
	return 1
}

func lookupFlag(flags []cli.Flag, arg string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
