package schemas

import (
	"testing"
	"time"
)

// synthEvent is an event of the shape ingest/synth generates: every field
// but Variant, a Shopify product GID and a .99 price.
func synthEvent() Event {
	return Event{EventID: "synth-1048576", UserID: "user-0042", SessionID: "synth-user-0042-3",
		Type: AddToCart, Product: "gid://shopify/Product/7281934512345", Quantity: 1, Price: 23.99,
		Currency: "USD", Time: time.Date(2026, 11, 23, 10, 4, 31, 517e6, time.UTC)}
}

// Compare the two implementations with
//
//	go test -run x -bench EventJSON -count 10 ./schemas/ | tee bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkDecodeEventJSON(b *testing.B) {
	value, err := refEncodeEventJSON(synthEvent())
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name   string
		decode func([]byte) (Event, error)
	}{{"impl=reference", refDecodeEventJSON}, {"impl=fast", DecodeEventJSON}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			for b.Loop() {
				if _, err := impl.decode(value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeEventJSON(b *testing.B) {
	e := synthEvent()
	for _, impl := range []struct {
		name   string
		encode func(Event) ([]byte, error)
	}{{"impl=reference", refEncodeEventJSON}, {"impl=fast", EncodeEventJSON}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.encode(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
