package registry

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
)

// enc writes Avro binary by hand, for writer schemas goavro is not given.
type enc []byte

func (e enc) long(v int64) enc     { return binary.AppendUvarint(e, uint64((v<<1)^(v>>63))) }
func (e enc) str(s string) enc     { return append(e.long(int64(len(s))), s...) }
func (e enc) double(f float64) enc { return binary.LittleEndian.AppendUint64(e, math.Float64bits(f)) }
func (e enc) float(f float32) enc  { return binary.LittleEndian.AppendUint32(e, math.Float32bits(f)) }

var ts = time.UnixMilli(1772449200123).UTC()

func mustPlan(t *testing.T, schema string) *plan {
	t.Helper()
	n, err := parseSchema(schema)
	if err != nil {
		t.Fatalf("parseSchema: %v", err)
	}
	p, err := compile(n)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func TestTheEmbeddedEventSchemaReadsWhatGoavroWrote(t *testing.T) {
	t.Parallel()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	e := schemas.Event{EventID: "e1", UserID: "u1", SessionID: "s1", Type: schemas.Purchase, Product: "7",
		Variant: "8", Quantity: 2, Price: 3.5, Currency: "USD", Time: ts}
	framed, err := codecs.EncodeEventConfluent(e, 9)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustPlan(t, schemas.Schemas()["Event"]).decode(framed[5:])
	if err != nil || got != e {
		t.Fatalf("decode = %+v, %v; want %+v", got, err, e)
	}
}

// evolved is a writer schema a producer might register: fields reordered,
// optional fields as nullable unions, wider or other types, and fields
// Event does not have (nested records, arrays, maps, enums, fixed).
const evolved = `{"type":"record","name":"ShopEvent","namespace":"com.acme","fields":[
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"context","type":{"type":"record","name":"Ctx","fields":[
   {"name":"ip","type":"string"},{"name":"tags","type":{"type":"array","items":"string"}},
   {"name":"attrs","type":{"type":"map","values":["null","double"]}},
   {"name":"hash","type":{"type":"fixed","name":"H","size":4}}]}},
 {"name":"user_id","type":"long"},
 {"name":"event_id","type":"string"},
 {"name":"session_id","type":["null","string"],"default":null},
 {"name":"type","type":{"type":"enum","name":"Kind","symbols":["purchase","view","wishlist"]}},
 {"name":"product","type":"long"},
 {"name":"quantity","type":"long"},
 {"name":"price","type":"float"},
 {"name":"next","type":["null","Ctx"]}
]}`

func evolvedPayload(typeIndex int64, session bool) []byte {
	b := enc{}.long(ts.UnixMicro())
	b = b.str("SECRET-ip").long(2).str("a").str("b").long(0)                                             // ip, tags
	b = b.long(-1).long(int64(len(enc{}.str("k").long(1).double(1)))).str("k").long(1).double(1).long(0) // attrs: one sized block
	b = append(b, 1, 2, 3, 4)                                                                            // hash
	b = b.long(1042).str("e1")
	if session {
		b = b.long(1).str("s1")
	} else {
		b = b.long(0)
	}
	b = b.long(typeIndex).long(7).long(2).float(3.5)
	return b.long(0) // next: null
}

func TestAnEvolvedWriterSchemaIsResolvedToEvent(t *testing.T) {
	t.Parallel()
	p := mustPlan(t, evolved)
	got, err := p.decode(evolvedPayload(0, true))
	want := schemas.Event{EventID: "e1", UserID: "1042", SessionID: "s1", Type: schemas.Purchase, Product: "7",
		Quantity: 2, Price: 3.5, Time: ts.Truncate(time.Microsecond)}
	if err != nil || got != want {
		t.Fatalf("decode = %+v, %v; want %+v", got, err, want)
	}
	got, err = p.decode(evolvedPayload(2, false))
	if err != nil || got.SessionID != "" || got.Type != "wishlist" {
		t.Fatalf("null session and an enum symbol Event lacks: %+v, %v (the symbol is for Normalize to reject)", got, err)
	}
	for _, bad := range [][]byte{evolvedPayload(3, true), evolvedPayload(0, true)[:20], append(evolvedPayload(0, true), 0)} {
		if _, err := p.decode(bad); !errors.Is(err, schemas.ErrInvalid) {
			t.Errorf("decode(%x) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestWriterSchemasThatCannotBeReadAsEventAreRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"not a record":      `"string"`,
		"no ts":             `{"type":"record","name":"E","fields":[{"name":"event_id","type":"string"},{"name":"user_id","type":"string"},{"name":"type","type":"string"},{"name":"product","type":"string"}]}`,
		"type as an int":    `{"type":"record","name":"E","fields":[{"name":"event_id","type":"string"},{"name":"user_id","type":"string"},{"name":"type","type":"int"},{"name":"product","type":"string"},{"name":"ts","type":"long"}]}`,
		"ts as a string":    `{"type":"record","name":"E","fields":[{"name":"event_id","type":"string"},{"name":"user_id","type":"string"},{"name":"type","type":"string"},{"name":"product","type":"string"},{"name":"ts","type":"string"}]}`,
		"product only null": `{"type":"record","name":"E","fields":[{"name":"event_id","type":"string"},{"name":"user_id","type":"string"},{"name":"type","type":"string"},{"name":"product","type":"null"},{"name":"ts","type":"long"}]}`,
	}
	for name, schema := range cases {
		t.Run(name, func(t *testing.T) {
			n, err := parseSchema(schema)
			if err == nil {
				_, err = compile(n)
			}
			if err == nil {
				t.Fatal("compiled")
			}
		})
	}
	for name, schema := range map[string]string{
		"not JSON": `{`, "an unknown type": `{"type":"record","name":"E","fields":[{"name":"a","type":"Nope"}]}`,
		"a union in a union": `[["null"]]`, "a nameless record": `{"type":"record","fields":[]}`,
		"a negative fixed": `{"type":"fixed","name":"F","size":-1}`, "a redefined name": `{"type":"record","name":"E","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":[]}}]}`,
	} {
		if _, err := parseSchema(schema); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestARecursiveSchemaParsesAndItsValuesAreSkippedWithinBounds(t *testing.T) {
	t.Parallel()
	p := mustPlan(t, `{"type":"record","name":"E","fields":[
		{"name":"list","type":{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}},
		{"name":"nulls","type":{"type":"array","items":"null"}},
		{"name":"event_id","type":"string"},{"name":"user_id","type":"string"},{"name":"type","type":"string"},
		{"name":"product","type":"string"},{"name":"ts","type":"long"}]}`)
	deep := enc{}
	for range 200 {
		deep = deep.long(1)
	}
	if _, err := p.decode(deep.long(0)); !errors.Is(err, schemas.ErrInvalid) {
		t.Errorf("a list 200 deep: %v, want ErrInvalid (too deep)", err)
	}
	many := enc{}.long(0).long(math.MaxInt64 >> 2).long(0)
	if _, err := p.decode(many); !errors.Is(err, schemas.ErrInvalid) {
		t.Errorf("an array of 2^61 nulls: %v, want ErrInvalid (too many items)", err)
	}
}
