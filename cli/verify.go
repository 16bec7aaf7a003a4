package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

func (e *Env) verifyCommand() *cli.Command {
	return &cli.Command{
		Name: "verify",
		Usage: "check every record and object of the local store (--remote: the shared one): records against their " +
			"integrity digest, kind and manifests, objects against their digest; exit 1 when something is bad",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "remote", Usage: "verify the remote store instead of the local one"},
			&cli.BoolFlag{Name: "repair", Usage: "remove bad records and objects (a remote object is replaced by a good local copy when there is one)"},
		},
		Action: e.verify,
	}
}

func (e *Env) verify(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("verify takes no arguments (got %q)", c.Args().First())
	}
	mode := readOnly
	if c.Bool("repair") {
		mode = readWrite
	}
	p, err := e.open(c, mode)
	if err != nil {
		return err
	}
	defer p.Close()
	if c.Bool("repair") {
		release, err := p.lock(c)
		if err != nil {
			return err
		}
		defer release()
	}
	v := &verifier{target: artifacts.Backend(p.Local), local: p.Local, reg: e.Registry, repair: c.Bool("repair")}
	if c.Bool("remote") {
		if v.target, err = remoteOf(p, "verify --remote"); err != nil {
			return err
		}
	}
	records, objects, err := v.run(c.Context)
	if err != nil {
		return storeError{err}
	}
	return v.report(e, records, objects)
}

// verifier checks one backend; what it finds it lists in problems.
type verifier struct {
	target   artifacts.Backend
	local    *artifacts.Local // where a good copy of a remote object may be
	reg      *dag.Registry
	repair   bool
	problems []problem
}

// problem is one bad record or object, and what --repair did about it.
type problem struct {
	ns   artifacts.Namespace
	name string
	why  string
	done string // "" when not repaired
}

// run checks every record, then every object, and returns how many.
func (v *verifier) run(ctx context.Context) (records, objects int, err error) {
	if records, err = v.each(ctx, artifacts.Records, v.record); err != nil {
		return 0, 0, err
	}
	objects, err = v.each(ctx, artifacts.Blobs, v.object)
	return records, objects, err
}

// each lists ns and checks every object litho could have written there.
func (v *verifier) each(ctx context.Context, ns artifacts.Namespace, check func(context.Context, string) error) (int, error) {
	var names []string
	err := v.target.List(ctx, ns, func(i artifacts.Info) error {
		if artifacts.OwnedName(ns, i.Name) {
			names = append(names, i.Name)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, name := range names {
		if err := check(ctx, name); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}

// record checks one record: its bytes, its kind, its manifests, and that
// the objects it names can be examined.
func (v *verifier) record(ctx context.Context, key string) error {
	b, err := artifacts.ReadObject(ctx, v.target, artifacts.Records, key)
	if errors.Is(err, artifacts.ErrNotFound) {
		return nil // removed meanwhile
	}
	if err != nil {
		v.bad(ctx, artifacts.Records, key, "unreadable: "+err.Error())
		return nil
	}
	rec, why := dag.CheckRecord(b, key, v.reg)
	if why == "" {
		why, err = dag.CheckManifests(ctx, artifacts.NewStore(artifacts.ReadOnly(v.target)), rec)
		var ce *artifacts.CorruptError
		switch {
		case errors.As(err, &ce), errors.Is(err, artifacts.ErrNotFound):
			// A bad manifest is the object's problem (reported with the
			// objects); a missing one only makes the stage rerun.
		case err != nil:
			why = "a manifest it names cannot be read: " + err.Error()
		}
	}
	if why != "" {
		v.bad(ctx, artifacts.Records, key, why)
		return nil
	}
	// An object the store cannot even stat may be missing from the
	// listing; the records reach it.
	for _, d := range rec.Digests() {
		if _, err := v.target.Stat(ctx, artifacts.Blobs, string(d)); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			v.bad(ctx, artifacts.Blobs, string(d), "unreadable: "+err.Error())
		}
	}
	return nil
}

// object checks that a blob's bytes hash to its name.
func (v *verifier) object(ctx context.Context, name string) error {
	got, err := hashObject(ctx, v.target, name)
	switch {
	case errors.Is(err, artifacts.ErrNotFound):
	case err != nil:
		v.bad(ctx, artifacts.Blobs, name, "unreadable: "+err.Error())
	case got != artifacts.Digest(name):
		v.bad(ctx, artifacts.Blobs, name, "corrupt: its content hashes to "+got.Short())
	}
	return ctx.Err()
}

// bad records a problem and, with --repair, mends it: a bad record or a
// local object goes (the next run recomputes or fetches it); a remote
// object is replaced by the local copy if that one is good, else removed.
func (v *verifier) bad(ctx context.Context, ns artifacts.Namespace, name, why string) {
	for _, p := range v.problems {
		if p.ns == ns && p.name == name {
			return // found again through another record
		}
	}
	p := problem{ns: ns, name: name, why: why}
	if v.repair {
		p.done = v.mend(ctx, ns, name)
	}
	v.problems = append(v.problems, p)
}

func (v *verifier) mend(ctx context.Context, ns artifacts.Namespace, name string) string {
	removed := v.target.Remove(ctx, ns, name) == nil
	// A good copy goes in even where the bad one could not be removed:
	// saving over an object the store cannot read replaces it.
	if ns == artifacts.Blobs && v.target != artifacts.Backend(v.local) && v.restore(ctx, name) {
		return "replaced by the local copy"
	}
	if !removed {
		return "" // reported as not repaired
	}
	return "removed; the next run recomputes it"
}

// restore uploads the local copy of a blob to the target, in place of
// the bad one, if it verifies.
func (v *verifier) restore(ctx context.Context, name string) bool {
	if got, err := hashObject(ctx, v.local, name); err != nil || got != artifacts.Digest(name) {
		return false
	}
	f, err := os.Open(v.local.Path(artifacts.Blobs, name))
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	return err == nil && v.target.Save(ctx, artifacts.Blobs, name, f, fi.Size()) == nil
}

func hashObject(ctx context.Context, be artifacts.Backend, name string) (artifacts.Digest, error) {
	rc, err := be.Open(ctx, artifacts.Blobs, name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d, _, err := artifacts.DigestReader(rc)
	return d, err
}

// report lists the problems and fails (exit 1) when one is left.
func (v *verifier) report(e *Env, records, objects int) error {
	left := 0
	for _, p := range v.problems {
		done := p.done
		if done == "" {
			left++
			done = "left in place"
			if !v.repair {
				done += " (--repair removes it)"
			}
		}
		fmt.Fprintf(e.Stdout, "  %s/%s  %s: %s\n", p.ns, p.name, p.why, done)
	}
	fmt.Fprintf(e.Stdout, "verified %d records and %d objects in %s: %d bad, %d repaired\n",
		records, objects, v.target.Location(), len(v.problems), len(v.problems)-left)
	if left > 0 {
		return exitError{code: ExitFailed, err: fmt.Errorf("%d bad records or objects left in %s", left, v.target.Location())}
	}
	return nil
}
