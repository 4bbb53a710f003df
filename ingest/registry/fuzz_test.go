package registry

import (
	"errors"
	"testing"

	"github.com/recsys/recsys/schemas"
)

// FuzzDecodePayload feeds payloads to plans of the embedded and an evolved
// writer schema: any result but a panic, a hang or an unwrapped error is a bug.
func FuzzDecodePayload(f *testing.F) {
	codecs, err := schemas.NewCodecs()
	if err != nil {
		f.Fatal(err)
	}
	framed, _ := codecs.EncodeEventConfluent(schemas.Event{EventID: "e", UserID: "u", Type: schemas.View, Product: "1", Time: ts}, 1)
	f.Add(framed[5:])
	f.Add(evolvedPayload(0, true))
	f.Add(evolvedPayload(1, false))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	plans := []*plan{}
	for _, s := range []string{schemas.Schemas()["Event"], evolved} {
		n, err := parseSchema(s)
		if err != nil {
			f.Fatal(err)
		}
		p, err := compile(n)
		if err != nil {
			f.Fatal(err)
		}
		plans = append(plans, p)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, p := range plans {
			if _, err := p.decode(payload); err != nil && !errors.Is(err, schemas.ErrInvalid) {
				t.Fatalf("decode: %v does not wrap ErrInvalid", err)
			}
		}
	})
}

// FuzzSchema parses and compiles schema texts and decodes a payload with
// those that compile.
func FuzzSchema(f *testing.F) {
	f.Add(schemas.Schemas()["Event"], []byte{2, 'e', 2, 'u', 0, 0, 2, '1', 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(evolved, evolvedPayload(0, true))
	f.Add(`{"type":"record","name":"N","fields":[{"name":"n","type":["null","N"]}]}`, []byte{2, 2, 2, 0})
	f.Add(`["null",{"type":"map","values":{"type":"array","items":"bytes"}}]`, []byte{2, 1, 4})
	f.Fuzz(func(t *testing.T, schema string, payload []byte) {
		n, err := parseSchema(schema)
		if err != nil {
			return
		}
		r := newReader(payload)
		_ = r.skip(n, 0)
		p, err := compile(n)
		if err != nil {
			return
		}
		if _, err := p.decode(payload); err != nil && !errors.Is(err, schemas.ErrInvalid) {
			t.Fatalf("decode: %v does not wrap ErrInvalid", err)
		}
	})
}
