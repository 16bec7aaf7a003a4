package artifacts

import (
	"fmt"
	"regexp"
	"time"
)

// runName matches RunName's names: the time, so they sort, then a short
// digest of the content, so two runs in one nanosecond do not collide.
var runName = regexp.MustCompile(`^[0-9]{19}-[0-9a-f]{12}$`)

// RunName names a run log saved at t with content b.
func RunName(t time.Time, b []byte) string {
	return fmt.Sprintf("%019d-%s", t.UnixNano(), DigestBytes(b).Short())
}

// OwnedName reports whether litho gives objects of ns such a name: a
// digest for a blob, a stage key (a SHA-256, like a digest) for a record,
// a RunName for a run log. Whatever else a namespace holds, litho did not
// write, and garbage collection leaves it alone.
func OwnedName(ns Namespace, name string) bool {
	switch ns {
	case Blobs, Records:
		_, err := ParseDigest(name)
		return err == nil
	case Runs:
		return runName.MatchString(name)
	}
	return false
}
