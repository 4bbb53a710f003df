package seq

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/recsys/recsys/trainer"
)

// GRU is a GRU4Rec-style recurrent model (Hidasi et al. 2016; Hidasi &
// Karatzoglou 2018): one GRU layer over the user's events, whose input is
// the item's embedding plus learned vectors for the event type and the pause
// since the previous event, and whose final state scores every item by dot
// product with the same embeddings (constrained embedding) plus a bias.
//
// Training uses session-parallel minibatches and softmax cross-entropy over
// the minibatch's targets plus Negatives items sampled by popularity^Alpha,
// with Adagrad. The last event of ValidUsers random users is held out; after
// each epoch the model is scored on them (NDCG@10 over all items) and
// training stops when Patience epochs bring no improvement, keeping the best
// epoch's weights. Results are deterministic for a given Seed and Threads.
type GRU struct {
	// Dim is the size of the embeddings and the hidden state. Default: 64.
	Dim int
	// Epochs is the most passes over the data. Default: 20.
	Epochs int
	// Patience is how many epochs without improvement stop training.
	// Default: 2.
	Patience int
	// Batch is the number of parallel sequences per step. Default: 128.
	Batch int
	// Negatives sampled per step, shared by the batch. Default: 256.
	Negatives int
	// Alpha is the popularity exponent of negative sampling. Default: 0.75.
	Alpha float64
	// LearningRate of Adagrad. Default: 0.05.
	LearningRate float64
	// Window is how many of the latest events are fed when scoring; the
	// cost of a score grows with it, and the state forgets older events
	// anyway (20 and 200 score alike on Online Retail). Default: 20.
	Window int
	// ValidUsers whose last event is held out for early stopping; 0 means
	// the default, negative none (then all Epochs run). Default: 1000.
	ValidUsers int
	// Progress, if set, is called after each epoch with the mean training
	// loss and the validation NDCG@10 (NaN without validation users).
	Progress func(epoch int, loss, ndcg float64)
}

// Name implements trainer.Algorithm.
func (GRU) Name() string { return "gru" }

func (g GRU) withDefaults() GRU {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&g.Dim, 64)
	def(&g.Epochs, 20)
	def(&g.Patience, 2)
	def(&g.Batch, 128)
	def(&g.Negatives, 256)
	def(&g.Window, 20)
	def(&g.ValidUsers, 1000)
	if g.Alpha == 0 {
		g.Alpha = 0.75
	}
	if g.LearningRate == 0 {
		g.LearningRate = 0.05
	}
	return g
}

// holdout is one validation sequence: predict Seq's last event from the rest.
type holdout []trainer.Event

// Fit implements trainer.Algorithm.
func (g GRU) Fit(ctx context.Context, d *trainer.Dataset, cfg trainer.FitConfig) (trainer.Component, error) {
	g = g.withDefaults()
	threads := cfg.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	seed := uint64(cfg.Seed)
	seqs, valid := carve(d, g.ValidUsers, seed)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return popularGRU(d, g), nil
	}
	p := newGRUParams(len(d.Items), g.Dim, seed)
	t := newGRUTrainer(p, seqs, g, threads, seed)
	best, bestScore, bad := p.clone(), math.Inf(-1), 0
	for epoch := range g.Epochs {
		loss, err := t.epoch(ctx)
		if err != nil {
			return nil, err
		}
		score := math.NaN()
		if len(valid) > 0 {
			score = validate(newGRUModel(p, g.Window), valid, len(d.Items))
		}
		if g.Progress != nil {
			g.Progress(epoch, loss, score)
		}
		if len(valid) == 0 {
			best = p
			continue
		}
		if score > bestScore {
			best, bestScore, bad = p.clone(), score, 0
		} else if bad++; bad >= g.Patience {
			break
		}
	}
	return newGRUModel(best, g.Window), nil
}

// popularGRU is the model of data without a single transition to learn
// from: zero weights and log-popularity biases, so that it ranks by
// popularity whatever the history.
func popularGRU(d *trainer.Dataset, g GRU) *gruModel {
	p := &gruParams{Dim: g.Dim, Dense: make([]float32, denseSize(g.Dim)), Emb: make([]float32, len(d.Items)*g.Dim), Bias: make([]float32, len(d.Items))}
	for _, s := range d.Seqs {
		for _, e := range s {
			p.Bias[e.Item]++
		}
	}
	for i, c := range p.Bias {
		p.Bias[i] = float32(math.Log1p(float64(c)))
	}
	return newGRUModel(p, g.Window)
}

// carve returns the training sequences (two or more events each) and, for up
// to n random users with three or more events, their whole sequence as a
// holdout whose last event is withheld from training.
func carve(d *trainer.Dataset, n int, seed uint64) ([][]trainer.Event, []holdout) {
	var eligible []int
	for u, s := range d.Seqs {
		if len(s) >= 3 {
			eligible = append(eligible, u)
		}
	}
	held := map[int]bool{}
	rng := rand.New(rand.NewPCG(seed, 0xca11))
	rng.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
	var valid []holdout
	for _, u := range eligible[:max(0, min(n, len(eligible)))] {
		held[u] = true
		valid = append(valid, d.Seqs[u])
	}
	var seqs [][]trainer.Event
	for u, s := range d.Seqs {
		if held[u] {
			s = s[:len(s)-1]
		}
		if len(s) >= 2 {
			seqs = append(seqs, s)
		}
	}
	return seqs, valid
}

// validate returns the mean NDCG@10 of the held-out events over all items.
func validate(m *gruModel, valid []holdout, items int) float64 {
	scores := make([]float32, items)
	var sum float64
	for _, s := range valid {
		target := s[len(s)-1].Item
		m.Score(s[:len(s)-1], scores)
		rank := 1
		for _, v := range scores {
			if v > scores[target] {
				rank++
			}
		}
		if rank <= 10 {
			sum += 1 / math.Log2(float64(rank)+1)
		}
	}
	return sum / float64(len(valid))
}

// Decode implements trainer.Algorithm.
func (GRU) Decode(data []byte) (trainer.Component, error) { return decodeGRU(data) }
