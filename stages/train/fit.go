package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"

	"litho/schemas"
)

// Epoch is one row of the training history; its timings go to
// Result.Seconds. The row type lives in schemas so that evaluate reads
// the history without importing this package (and GoMLX).
type Epoch = schemas.Epoch

// Result is a trained model and how it got there.
type Result struct {
	Model        *Model
	History      []Epoch
	Seconds      []float64 // wall time of each epoch of History
	StoppedEarly bool
	Kept         int64 // the epoch (1-based) whose weights Model holds
}

// Fit trains a VAE on train (rows × cfg.Inputs(), row-major) and watches
// the validation loss on val. groups names the borehole of each training
// row; only borehole masking needs it (nil otherwise). onEpoch, if not
// nil, sees each epoch and its wall seconds as it ends. The weights
// returned are those of the last epoch run, or with keep = "best" of the
// epoch of lowest validation loss. Training starts from the inits'
// matching layers (transfer).
func Fit(ctx context.Context, backend backends.Backend, cfg Config, train, val []float32, groups []string, onEpoch func(e Epoch, seconds float64), inits ...Init) (*Result, error) {
	m, err := newModel(backend, cfg)
	if err != nil {
		return nil, err
	}
	if err := m.prepare(inits); err != nil {
		return nil, err
	}
	if len(train)%cfg.Inputs() != 0 || len(val)%cfg.Inputs() != 0 {
		return nil, fmt.Errorf("train/val data is not a whole number of %d-feature rows", cfg.Inputs())
	}
	ep, err := newEpochs(m, train, groups)
	if err != nil {
		return nil, err
	}
	defer ep.noise.close()
	stop := stopper{patience: cfg.Patience, from: cfg.EarlyStopFrom}
	res := &Result{Model: m}
	var best snapshot
	for epoch := range cfg.MaxEpochs {
		start := time.Now()
		e := Epoch{Epoch: int64(epoch + 1), Beta: cfg.Beta(epoch), ValLoss: math.NaN()}
		if e.TrainLoss, err = ep.run(ctx, e.Beta); err != nil {
			return nil, fmt.Errorf("epoch %d: %w", e.Epoch, err)
		}
		if len(val) > 0 {
			inf, err := m.Infer(val)
			if err != nil {
				return nil, fmt.Errorf("epoch %d validation: %w", e.Epoch, err)
			}
			e.ValLoss = inf.Loss(e.Beta)
		}
		secs := time.Since(start).Seconds()
		res.History, res.Seconds = append(res.History, e), append(res.Seconds, secs)
		if onEpoch != nil {
			onEpoch(e, secs)
		}
		if math.IsNaN(e.TrainLoss) || math.IsInf(e.TrainLoss, 0) {
			return nil, fmt.Errorf("epoch %d: training loss is %g (try a smaller learning_rate)", e.Epoch, e.TrainLoss)
		}
		done := stop.observe(epoch, e.ValLoss)
		if res.Kept, best, err = keep(m, stop, e, res.Kept, best); err != nil {
			return nil, err
		}
		if done {
			res.StoppedEarly = true
			break
		}
	}
	if best != nil {
		return res, m.restore(best)
	}
	return res, nil
}

// keep follows which epoch's weights Fit returns: with keep = "best" it
// snapshots the weights of each new best epoch (ties to the earlier);
// otherwise, or before any validation loss counts, the epoch just run.
func keep(m *Model, stop stopper, e Epoch, kept int64, best snapshot) (int64, snapshot, error) {
	if m.Config.Keep != KeepBest || !stop.seen {
		return e.Epoch, nil, nil
	}
	if stop.since > 0 {
		return kept, best, nil
	}
	s, err := m.takeSnapshot()
	return e.Epoch, s, err
}

// epochs feeds the training rows to a model in shuffled batches.
type epochs struct {
	m       *Model
	train   []float32
	perm    []int
	batch   []float32
	rows    int // per batch
	shuffle *rand.Rand
	noise   *noiseDraws
	masks   *masker // nil without masking
}

func newEpochs(m *Model, train []float32, groups []string) (*epochs, error) {
	cfg := m.Config
	n := len(train) / cfg.Inputs()
	if n < 2 {
		return nil, fmt.Errorf("need at least 2 training rows, got %d", n)
	}
	rows := min(cfg.BatchSize, n)
	ep := &epochs{m: m, train: train, perm: make([]int, n), batch: make([]float32, rows*cfg.Inputs()), rows: rows,
		// Our own seeded shuffle (GoMLX's in-memory dataset ignores its
		// seed) and noise, each from its own stream.
		shuffle: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6c6974686f)),
		noise:   cfg.noiseDraws(m.backend, rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6e6f697365)), rows),
	}
	for i := range ep.perm {
		ep.perm[i] = i
	}
	var err error
	if ep.masks, err = newMasker(cfg, groups, n); err != nil {
		ep.noise.close()
		return nil, err
	}
	return ep, nil
}

// run trains one epoch with KL weight beta and returns the mean batch
// loss. The last partial batch is dropped (as DataLoader's drop_last): a
// batch of one row cannot be batch-normalised, and one shape means one
// compiled graph. The shuffle rotates the rows left out.
func (ep *epochs) run(ctx context.Context, beta float64) (float64, error) {
	d := ep.m.Config.Inputs()
	ep.shuffle.Shuffle(len(ep.perm), func(i, j int) { ep.perm[i], ep.perm[j] = ep.perm[j], ep.perm[i] })
	steps := len(ep.perm) / ep.rows
	var sum float64
	for s := range steps {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		rows := ep.perm[s*ep.rows : (s+1)*ep.rows]
		for r, row := range rows {
			copy(ep.batch[r*d:(r+1)*d], ep.train[row*d:(row+1)*d])
		}
		noise := ep.noise.take()
		if ep.masks != nil {
			noise = append(noise, ep.masks.batch(rows))
		}
		loss, err := ep.m.trainStep(ep.batch, ep.rows, beta, noise)
		if err != nil {
			return 0, err
		}
		sum += loss
	}
	return sum / float64(steps), nil
}

// stopper decides early stopping. Losses count from epoch from (0-based):
// the seed compares them from the first epoch, at each epoch's β, which
// is why its annealed models stop after ~16 epochs while β is still low
// (DESIGN.md §1b); from = anneal_epochs compares only once the objective
// no longer changes.
type stopper struct {
	patience int
	from     int // first epoch (0-based) whose loss counts
	best     float64
	since    int // epochs since best improved
	seen     bool
}

// observe records the validation loss of an epoch and reports whether
// training should stop. A NaN loss (no validation data) never stops it.
func (s *stopper) observe(epoch int, loss float64) bool {
	if epoch < s.from || math.IsNaN(loss) {
		return false
	}
	if !s.seen || loss < s.best {
		s.best, s.since, s.seen = loss, 0, true
		return false
	}
	s.since++
	return s.since >= s.patience
}
