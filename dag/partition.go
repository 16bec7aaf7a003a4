package dag

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"litho/artifacts"
)

// Partitions are one idea with several dimensions: a partition name is a
// path of segments, coarser first ("fold2/seed3": fold 2, training seed
// 3). A mapped input supplies a partition the stage runs on from its own
// partition of that name or, failing that, of the nearest ancestor
// ("fold2" for "fold2/seed3"), and a single artifact is the root every
// partition descends from. So a stage that replicates adds a dimension,
// and stages downstream of it map over the finer partitions while still
// reading the coarser inputs they share.

// PartSep separates the dimensions of a partition name.
const PartSep = "/"

// JoinPart names partition child under parent ("" is the root).
func JoinPart(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + PartSep + child
}

// PartOf is what a (possibly partitioned) output holds for partition
// part: a single artifact's digest, else the manifest's partition of that
// name or of its nearest ancestor, else "".
func PartOf(o OutputRecord, part string) artifacts.Digest {
	if o.MediaType != MediaManifest {
		return o.Digest
	}
	for p := part; p != ""; p = parentPart(p) {
		if d, ok := o.Parts[p]; ok {
			return d
		}
	}
	return ""
}

func parentPart(p string) string {
	i := strings.LastIndex(p, PartSep)
	if i < 0 {
		return ""
	}
	return p[:i]
}

// leafParts keeps the names that are no other name's ancestor, sorted:
// the finest partitions among a stage's mapped inputs.
func leafParts(names map[string]bool) []string {
	for p := range names {
		for a := parentPart(p); a != ""; a = parentPart(a) {
			delete(names, a)
		}
	}
	return slices.Sorted(maps.Keys(names))
}

// checkPartName accepts names of non-empty segments joined by PartSep;
// a segment never holds a path separator, "." or "..", as partitions
// become file names on export.
func checkPartName(p string) error {
	if len(p) > 200 {
		return fmt.Errorf("invalid partition name %q", p)
	}
	for seg := range strings.SplitSeq(p, PartSep) {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsFunc(seg, func(c rune) bool { return c == '\\' || c < ' ' }) {
			return fmt.Errorf("invalid partition name %q", p)
		}
	}
	return nil
}
