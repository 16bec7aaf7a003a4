package cli

import (
	"fmt"
	"runtime/debug"
)

// versionString is litho's version with the commit it was built from and
// whether the tree had uncommitted changes, from the build info Go embeds,
// so a record's "litho" field can be traced to source.
func versionString(version string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	return version + buildSuffix(bi.Settings)
}

func buildSuffix(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return " (commit unknown)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return fmt.Sprintf(" (commit %s, dirty)", rev)
	}
	return fmt.Sprintf(" (commit %s)", rev)
}

// humanBytes writes a size as a person reads it: 512 B, 1.5 KiB, 3.2 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
