package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
)

// forceFlag lets a command replace the files it writes.
var forceFlag = &cli.BoolFlag{Name: "force", Usage: "replace existing files (regular files only)"}

// writeOutput writes b to path, a file the user named (export, report,
// init). It goes through a new temporary file beside path, renamed into
// place, so a failure leaves neither a partial file nor the temporary
// one. Only a regular file is replaced, and only with force: never a
// symlink, a device or a directory.
func writeOutput(path string, b []byte, force bool) error {
	if err := replaceable(path, force); err != nil {
		return err
	}
	tmp, err := artifacts.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	// Checked again just before the rename: what appeared at path while
	// the file was written is not replaced either.
	err = artifacts.InstallTemp(tmp, b, path, func() error { return replaceable(path, force) })
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// replaceable returns nil when path is absent, or a regular file and
// force is set; a usage error otherwise.
func replaceable(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return usagef("%s is %s; litho replaces only regular files", path, fileKind(fi.Mode()))
	case !force:
		return usagef("%s already exists; use --force to replace it", path)
	}
	return nil
}

// outputDir makes dir for a command that writes several files into it;
// an existing dir must be a directory, not a symlink to one, so that the
// files land where the user said.
func outputDir(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o777)
	case err != nil:
		return err
	case !fi.IsDir():
		return usagef("%s is %s, not a directory", dir, fileKind(fi.Mode()))
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m.IsDir():
		return "a directory"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	case m.IsRegular():
		return "a file"
	}
	return "not a regular file"
}
