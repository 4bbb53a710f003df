package trainer_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"testing"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// answers knows each user's held-out item from their last training item.
type answers map[int32]int32

func (a answers) Score(h []trainer.Event, scores []float32) {
	for k := range scores {
		scores[k] = 0.01 * float32(k%7)
	}
	if len(h) > 0 {
		if t, ok := a[h[len(h)-1].Item]; ok {
			scores[t] = 1
		}
	}
}

func (answers) MarshalBinary() ([]byte, error) { return nil, errors.New("not stored") }

// noise scores items by a hash of the history and the item.
type noise struct{}

func (noise) Score(h []trainer.Event, scores []float32) {
	for k := range scores {
		f := fnv.New32a()
		fmt.Fprint(f, len(h), k)
		scores[k] = float32(f.Sum32()%1000) / 1000
	}
}

func (noise) MarshalBinary() ([]byte, error) { return nil, errors.New("not stored") }

// blendData builds users u0..u(n-1), each with training items "in<u>" and
// "last<u>" and held-out item "in<u+1>" (a training item of the next user,
// so that it is ranked), and a component that knows last<u> → in<u+1>.
func blendData(n int) (*trainer.Dataset, []trainer.Holdout, answers) {
	b := trainer.NewBuilder()
	for u := range n {
		user := fmt.Sprint("u", u)
		b.AddMillis(user, fmt.Sprint("in", u), schemas.Purchase, 1)
		b.AddMillis(user, fmt.Sprint("last", u), schemas.Purchase, 2)
		b.AddMillis(user, fmt.Sprint("in", (u+1)%n), schemas.Purchase, 3)
	}
	train, test := trainer.SplitLastOut(b.Build())
	good := answers{}
	for _, h := range test {
		s := train.Seqs[h.User]
		good[s[len(s)-1].Item] = h.Item
	}
	return train, test, good
}

func TestTuneBlendWeighsTheClearlyBetterPartMost(t *testing.T) {
	train, valid, good := blendData(60)
	parts := []trainer.Part{{Algorithm: "noise", Component: noise{}}, {Algorithm: "good", Component: good}}
	w, m, err := trainer.TuneBlend(context.Background(), parts, train, valid, trainer.BlendConfig{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || math.Abs(w[0]+w[1]-1) > 1e-9 {
		t.Fatalf("weights %v; want two summing to 1", w)
	}
	if w[1] < 0.8 {
		t.Errorf("weights %v; want most on the part that knows the answers", w)
	}
	if m.K != 10 || m.HR != 1 || m.NDCG != 1 || m.Users != len(valid) {
		t.Errorf("metrics %+v; want a perfect NDCG@10 over %d users", m, len(valid))
	}
}

func TestTuneBlendMetricsMatchEvaluateOfTheTunedSnapshot(t *testing.T) {
	train, valid, good := blendData(40)
	parts := []trainer.Part{{Algorithm: "noise", Component: noise{}}, {Algorithm: "good", Component: good}}
	// Half the users lose their answer, so that the blend has to rank.
	half := answers{}
	for k, v := range good {
		if k%2 == 0 {
			half[k] = v
		}
	}
	parts[1].Component = half
	cfg := trainer.BlendConfig{K: 5, Candidates: len(train.Items), Threads: 1}
	w, m, err := trainer.TuneBlend(context.Background(), parts, train, valid, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k := range parts {
		parts[k].Weight = w[k]
	}
	snap := trainer.NewSnapshot(schemas.ModelUpdate{Version: "t"}, train.Items, parts)
	want, err := trainer.Evaluate(context.Background(), snap, train, valid, []int{5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.HR-want[0].HR) > 1e-9 || math.Abs(m.NDCG-want[0].NDCG) > 1e-9 || math.Abs(m.Coverage-want[0].Coverage) > 1e-9 {
		t.Errorf("TuneBlend metrics %+v; Evaluate of the snapshot %+v", m, want[0])
	}
}

func TestTuneBlendStopsWhenCancelled(t *testing.T) {
	train, valid, good := blendData(20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := trainer.TuneBlend(ctx, []trainer.Part{{Algorithm: "good", Component: good}}, train, valid, trainer.BlendConfig{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestBlendConfigValidation(t *testing.T) {
	for _, c := range []trainer.BlendConfig{{K: -1}, {K: 10, Candidates: 5}, {Grid: []float64{-1}}, {Grid: []float64{math.NaN()}}} {
		if c.Validate() == nil {
			t.Errorf("%+v validated", c)
		}
	}
	if err := (trainer.BlendConfig{}).Validate(); err != nil {
		t.Errorf("the zero config (defaults) is invalid: %v", err)
	}
	train, valid, _ := blendData(5)
	if _, _, err := trainer.TuneBlend(context.Background(), nil, train, valid, trainer.BlendConfig{}); err == nil {
		t.Error("tuning no parts succeeded")
	}
}
