package registry

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/schemas"
)

// target is a field of the reader schema, recsys' Event.
type target int

const (
	tSkip target = iota
	tEventID
	tUserID
	tSessionID
	tType
	tProduct
	tVariant
	tQuantity
	tPrice
	tCurrency
	tTime
)

// targetOf matches a writer field to an Event field by name.
func targetOf(name string) target {
	switch name {
	case "event_id":
		return tEventID
	case "user_id":
		return tUserID
	case "session_id":
		return tSessionID
	case "type":
		return tType
	case "product":
		return tProduct
	case "variant":
		return tVariant
	case "quantity":
		return tQuantity
	case "price":
		return tPrice
	case "currency":
		return tCurrency
	case "ts":
		return tTime
	}
	return tSkip
}

// required are the Event fields without a default in event.avsc.
func required() []target { return []target{tEventID, tUserID, tType, tProduct, tTime} }

func targetName(t target) string {
	return [...]string{"", "event_id", "user_id", "session_id", "type", "product", "variant",
		"quantity", "price", "currency", "ts"}[t]
}

// plan reads payloads written with one writer schema into Events: Avro
// schema resolution against event.avsc, compiled once per schema id.
type plan struct {
	steps []step
}

type step struct {
	typ    *node
	target target
}

// compile checks that a writer schema can be read as an Event: a record
// whose fields named like Event's have a promotable type (Avro's rules, plus
// int/long/enum as a string and long as an int), and that every Event field
// without a default is among them. Writer fields Event lacks are skipped;
// a null union branch leaves the field at its default. Record names are not
// compared: the registry's subject already says what the record is.
func compile(w *node) (*plan, error) {
	if w.kind != kRecord {
		return nil, errors.New("the writer schema is not a record")
	}
	p := &plan{}
	have := map[target]bool{}
	for _, f := range w.fields {
		t := targetOf(f.name)
		if t != tSkip && !compatible(t, f.typ) {
			return nil, fmt.Errorf("field %s cannot be read as Event's %s", clip(f.name), targetName(t))
		}
		have[t] = true
		p.steps = append(p.steps, step{typ: f.typ, target: t})
	}
	var lacking []string
	for _, t := range required() {
		if !have[t] {
			lacking = append(lacking, targetName(t))
		}
	}
	if len(lacking) > 0 {
		return nil, fmt.Errorf("the writer schema lacks %s, which Event requires", strings.Join(lacking, ", "))
	}
	return p, nil
}

// compatible reports whether some branch of n can be read as t.
func compatible(t target, n *node) bool {
	if n.kind == kUnion {
		for _, b := range n.branches {
			if b.kind != kNull && compatible(t, b) {
				return true
			}
		}
		return false
	}
	switch t {
	case tType:
		return n.kind == kEnum || n.kind == kString
	case tQuantity:
		return n.kind == kInt || n.kind == kLong
	case tPrice:
		return n.kind == kInt || n.kind == kLong || n.kind == kFloat || n.kind == kDouble
	case tTime:
		return n.kind == kInt || n.kind == kLong
	}
	return n.kind == kString || n.kind == kBytes || n.kind == kInt || n.kind == kLong || n.kind == kEnum
}

// decode reads one payload. Errors wrap schemas.ErrInvalid.
func (p *plan) decode(payload []byte) (schemas.Event, error) {
	r := newReader(payload)
	var e schemas.Event
	for _, s := range p.steps {
		if s.target == tSkip {
			if err := r.skip(s.typ, 0); err != nil {
				return schemas.Event{}, fmt.Errorf("%w: %v", schemas.ErrInvalid, err)
			}
			continue
		}
		v, err := r.scalar(s.typ)
		if err == nil {
			err = assign(&e, s.target, v)
		}
		if err != nil {
			return schemas.Event{}, fmt.Errorf("%w: field %s: %v", schemas.ErrInvalid, targetName(s.target), err)
		}
	}
	if len(r.b) != 0 {
		return schemas.Event{}, fmt.Errorf("%w: %d trailing bytes", schemas.ErrInvalid, len(r.b))
	}
	return e, nil
}

// assign sets one Event field; a null leaves the default.
func assign(e *schemas.Event, t target, v scalar) error {
	if v.kind == kNull {
		return nil
	}
	switch t {
	case tQuantity:
		if v.kind != kLong || v.long < math.MinInt32 || v.long > math.MaxInt32 {
			return errors.New("not an int")
		}
		e.Quantity = int(v.long)
	case tPrice:
		e.Price = v.double
		if v.kind == kLong {
			e.Price = float64(v.long)
		} else if v.kind != kDouble {
			return errors.New("not a number")
		}
	case tTime:
		if v.kind != kLong {
			return errors.New("not a long")
		}
		e.Time = timestamp(v.long, v.logical)
	default:
		s := v.str
		if v.kind == kLong {
			s = strconv.FormatInt(v.long, 10)
		} else if v.kind != kString {
			return errors.New("not a string")
		}
		setString(e, t, s)
	}
	return nil
}

func setString(e *schemas.Event, t target, s string) {
	switch t {
	case tEventID:
		e.EventID = s
	case tUserID:
		e.UserID = s
	case tSessionID:
		e.SessionID = s
	case tType:
		e.Type = schemas.EventType(s)
	case tProduct:
		e.Product = s
	case tVariant:
		e.Variant = s
	case tCurrency:
		e.Currency = s
	}
}

// timestamp reads a long by its logical type; plain longs are milliseconds.
func timestamp(v int64, logical string) time.Time {
	switch logical {
	case "timestamp-micros", "local-timestamp-micros":
		return time.UnixMicro(v).UTC()
	case "timestamp-nanos", "local-timestamp-nanos":
		return time.Unix(0, v).UTC()
	}
	return time.UnixMilli(v).UTC()
}
