package artifacts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// MarkerName is the file that marks a directory as a litho store. litho
// writes it when it creates the store and refuses to use or clean a
// directory that holds anything else without it, so a --store mistyped
// onto a user's directory never loses a file.
const MarkerName = "litho-store.json"

// StoreFormat is the layout version this build reads and writes.
const StoreFormat = 1

// marker is the marker file's content.
type marker struct {
	Store   string `json:"store"` // always "litho"
	Version int    `json:"version"`
}

// NotStoreError is a directory that litho did not create as a store: it
// has no marker and holds something litho never writes there.
type NotStoreError struct {
	Dir     string
	Foreign string // the first entry litho did not write, relative to Dir
}

func (e *NotStoreError) Error() string {
	return fmt.Sprintf("%s is not a litho store: it has no %s and holds %q, which litho did not write; "+
		"litho uses a new or empty directory, or one it created (choose another --store)", e.Dir, MarkerName, e.Foreign)
}

// FormatError is a store marked by a litho whose layout this build does
// not know, or whose marker cannot be read.
type FormatError struct {
	Dir string
	Err error
}

func (e *FormatError) Error() string { return fmt.Sprintf("store %s: %v", e.Dir, e.Err) }
func (e *FormatError) Unwrap() error { return e.Err }

// readMarker reports whether dir holds a marker of this format.
func readMarker(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, MarkerName))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var m marker
	if err := json.Unmarshal(b, &m); err != nil || m.Store != "litho" {
		return false, &FormatError{dir, fmt.Errorf("%s is not a litho store marker", MarkerName)}
	}
	if m.Version != StoreFormat {
		return false, &FormatError{dir, fmt.Errorf("store format %d; this litho reads format %d", m.Version, StoreFormat)}
	}
	return true, nil
}

// checkOwned returns nil when dir may be used as a store: it is marked, or
// missing, or empty, or a store from before markers (nothing in it that
// litho does not write). marked says whether the marker is there.
func checkOwned(dir string) (marked bool, err error) {
	if marked, err := readMarker(dir); marked || err != nil {
		return marked, err
	}
	foreign, err := firstForeign(dir)
	if err != nil {
		return false, err
	}
	if foreign != "" {
		return false, &NotStoreError{Dir: dir, Foreign: foreign}
	}
	return false, nil
}

// layout says what litho writes at the top of a store: a directory per
// namespace and for temporary files, the lock, the stat cache.
var layout = map[string]fs.FileMode{
	string(Blobs): fs.ModeDir, string(Records): fs.ModeDir, string(Runs): fs.ModeDir,
	"tmp": fs.ModeDir, "lock": 0, "statcache.json": 0, "statcache.json.tmp": 0,
}

// statTemp matches the stat cache's temporary files (Fingerprinter.Save).
var statTemp = regexp.MustCompile(`^statcache\.json\.[0-9]+\.tmp$`)

// tempFile and tempDir match the temporary files (Save's) and stage
// scratch directories (dag's) that litho creates in the store's tmp
// directory.
var (
	tempFile = regexp.MustCompile(`^save-[0-9]+$`)
	tempDir  = regexp.MustCompile(`^stage-[0-9]+$`)
)

// ownTemp reports whether litho could have left an entry of this name and
// type in the tmp directory.
func ownTemp(name string, typ fs.FileMode) bool {
	switch typ.Type() {
	case 0:
		return tempFile.MatchString(name)
	case fs.ModeDir:
		return tempDir.MatchString(name)
	}
	return false
}

// firstForeign walks dir, never following a symlink, and names the first
// entry litho would not have written; "" when there is none (or dir does
// not exist).
func firstForeign(dir string) (string, error) {
	// The store itself may be a symlink the user named; what it holds is
	// looked at through it, and nothing below is followed.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	var foreign string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		switch ok, descend := ownEntry(rel, d.Type()); {
		case !ok:
			foreign = rel
			return filepath.SkipAll
		case d.IsDir() && !descend:
			return filepath.SkipDir
		}
		return nil
	})
	return foreign, err
}

// ownEntry says whether a store from before markers could hold rel (a
// path inside it) of this type, and whether to look inside.
func ownEntry(rel string, typ fs.FileMode) (ok, descend bool) {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	kind := typ.Type()
	switch {
	case len(parts) == 1:
		want, known := layout[parts[0]]
		return known && kind == want || kind == 0 && statTemp.MatchString(parts[0]), true
	case parts[0] == "tmp":
		// A stage's scratch directory holds whatever the stage wrote.
		return len(parts) == 2 && ownTemp(parts[1], kind), false
	case len(parts) == 2:
		return kind == fs.ModeDir && len(parts[1]) == 2, true
	}
	return len(parts) == 3 && kind == 0 && OwnedName(Namespace(parts[0]), parts[2]) && parts[2][:2] == parts[1], false
}
