package artifacts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned when another process holds the store lock past
// the timeout.
var ErrLocked = errors.New("store is locked by another litho process")

// Lock takes the store's exclusive lock, waiting up to timeout. waiting is
// called once with the holder's description if the lock is busy. The
// kernel releases a flock when its holder dies, so a lock left by a killed
// process is taken over at once; tookOver then names the dead holder.
func (l *Local) Lock(ctx context.Context, timeout time.Duration, waiting func(holder string)) (release func(), tookOver string, err error) {
	path := filepath.Join(l.root, "lock")
	// Not through a symlink: the lock file is truncated and written.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o666)
	if err != nil {
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	told := false
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, "", fmt.Errorf("lock %s: %w", path, err)
		}
		if !told && waiting != nil {
			waiting(readHolder(path))
			told = true
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, "", fmt.Errorf("%w (%s) after waiting %s", ErrLocked, readHolder(path), timeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if prev := readHolder(path); prev != "" && !strings.Contains(prev, "released") {
		tookOver = prev
	}
	host, _ := os.Hostname()
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))), 0)
	return func() {
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte("released\n"), 0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, tookOver, nil
}

func readHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// staleTemp is how old a temporary file must be before CleanTemp takes it
// for a killed process's leftover rather than the work of a running
// command that does not take the lock (status, why, export).
const staleTemp = time.Hour

// CleanTemp removes temporary files left by killed processes; call it
// while holding the lock. It removes only what litho names its temporary
// files and scratch directories, and never follows a symlink: a tmp that
// is one, or a link inside it, is left alone.
func (l *Local) CleanTemp() error {
	fi, err := os.Lstat(l.TempDir())
	if err != nil || !fi.IsDir() {
		return err
	}
	entries, err := os.ReadDir(l.TempDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !ownTemp(e.Name(), e.Type()) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < staleTemp {
			continue
		}
		if err := os.RemoveAll(filepath.Join(l.TempDir(), e.Name())); err != nil {
			return err
		}
	}
	return nil
}
