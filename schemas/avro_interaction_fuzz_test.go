package schemas

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzDecodeInteraction feeds any bytes to both decoders: they must agree on
// accept or reject (and the sentinel) and on the record, and never panic. A
// record accepted is re-encoded by both encoders, which must agree too.
//
//	go test -run x -fuzz FuzzDecodeInteraction -fuzztime 60s ./schemas/
func FuzzDecodeInteraction(f *testing.F) {
	c := mustCodecs(f)
	valid, _ := c.EncodeInteraction(sampleInteraction())
	event, _ := c.EncodeEvent(sampleEvent())
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(append(bytes.Clone(valid), 0))
	f.Add(event)
	f.Add(interactionFrame(c, appendLong(nil, -1)))
	f.Add(interactionFrame(c, []byte{0, 0, 0, 8}))
	f.Add(interactionFrame(c, bytes.Repeat([]byte{0xff}, 12), []byte{1}))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		b, err := c.EncodeInteraction(randomInteraction(rng))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := checkDecodeMatchesGoavro(t, c, b)
		if err == nil {
			checkEncodeMatchesGoavro(t, c, got)
		}
	})
}

// Compare the two implementations with
//
//	go test -run x -bench Interaction -benchmem -count 10 ./schemas/ | tee bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkEncodeInteraction(b *testing.B) {
	c := mustCodecs(b)
	i := sampleInteraction()
	for _, impl := range []struct {
		name   string
		encode func(Interaction) ([]byte, error)
	}{{"impl=goavro", c.goavroEncodeInteraction}, {"impl=fast", c.EncodeInteraction}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.encode(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeInteraction(b *testing.B) {
	c := mustCodecs(b)
	value, err := c.EncodeInteraction(sampleInteraction())
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name   string
		decode func([]byte) (Interaction, error)
	}{{"impl=goavro", c.goavroDecodeInteraction}, {"impl=fast", c.DecodeInteraction}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.decode(value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
