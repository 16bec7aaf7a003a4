package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"
)

// Epoch is one row of the training history.
type Epoch struct {
	Epoch     int64   `parquet:"epoch"` // 1-based
	TrainLoss float64 `parquet:"train_loss"`
	ValLoss   float64 `parquet:"val_loss"`
	Beta      float64 `parquet:"beta"`
	Seconds   float64 `parquet:"seconds"`
}

// Result is a trained model and how it got there.
type Result struct {
	Model        *Model
	History      []Epoch
	StoppedEarly bool
}

// Fit trains a VAE on train (rows × cfg.Inputs, row-major) and watches
// the validation loss on val. onEpoch, if not nil, sees each epoch as it
// ends. The weights returned are those of the last epoch run.
func Fit(ctx context.Context, backend backends.Backend, cfg Config, train, val []float32, onEpoch func(Epoch)) (*Result, error) {
	m, err := newModel(backend, cfg)
	if err != nil {
		return nil, err
	}
	d := cfg.Inputs
	if len(train)%d != 0 || len(val)%d != 0 {
		return nil, fmt.Errorf("train/val data is not a whole number of %d-feature rows", d)
	}
	n := len(train) / d
	if n < 2 {
		return nil, fmt.Errorf("need at least 2 training rows, got %d", n)
	}
	batch := min(cfg.BatchSize, n)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	// Our own seeded shuffle (GoMLX's in-memory dataset ignores its seed)
	// and noise, each from its own stream.
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6c6974686f))
	noiseRNG := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6e6f697365))
	buf := make([]float32, batch*d)
	stop := stopper{patience: cfg.Patience, from: cfg.AnnealEpochs}
	res := &Result{Model: m}
	for epoch := range cfg.MaxEpochs {
		start := time.Now()
		beta := cfg.Beta(epoch)
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var sum float64
		// The last partial batch is dropped (as DataLoader's drop_last):
		// a batch of one row cannot be batch-normalised, and one shape
		// means one compiled graph. The shuffle rotates the rows left out.
		steps := n / batch
		for s := range steps {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for r, row := range perm[s*batch : (s+1)*batch] {
				copy(buf[r*d:(r+1)*d], train[row*d:(row+1)*d])
			}
			loss, err := m.trainStep(buf, batch, beta, noiseRNG)
			if err != nil {
				return nil, fmt.Errorf("epoch %d: %w", epoch+1, err)
			}
			sum += loss
		}
		valLoss := math.NaN()
		if len(val) > 0 {
			inf, err := m.Infer(val)
			if err != nil {
				return nil, fmt.Errorf("epoch %d validation: %w", epoch+1, err)
			}
			valLoss = inf.Loss(beta)
		}
		e := Epoch{Epoch: int64(epoch + 1), TrainLoss: sum / float64(steps), ValLoss: valLoss, Beta: beta,
			Seconds: time.Since(start).Seconds()}
		res.History = append(res.History, e)
		if onEpoch != nil {
			onEpoch(e)
		}
		if math.IsNaN(e.TrainLoss) || math.IsInf(e.TrainLoss, 0) {
			return nil, fmt.Errorf("epoch %d: training loss is %g (try a smaller learning_rate)", epoch+1, e.TrainLoss)
		}
		if stop.observe(epoch, valLoss) {
			res.StoppedEarly = true
			break
		}
	}
	return res, nil
}

// stopper decides early stopping. Losses are only compared once β has
// reached its final value: while β anneals the objective itself changes,
// so a rising loss then says nothing about the model.
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
