package trainer

import (
	"cmp"
	"slices"
	"time"

	"github.com/recsys/recsys/schemas"
)

// Event is one interaction in training form: a dense item id, the event type
// and the event time in Unix milliseconds.
type Event struct {
	Item int32
	Type schemas.EventType
	Time int64
}

// Dataset is the training view of an interaction log: dense item and user
// ids and each user's events in time order (ties broken by item id). It is
// immutable once built and safe for concurrent reads.
type Dataset struct {
	// Items maps a dense item id to its product id (GID or any string).
	Items []string
	// Users maps a dense user id to its user id.
	Users []string
	// Seqs holds each user's events, oldest first.
	Seqs  [][]Event
	items map[string]int32
}

// ItemID returns the dense id of a product.
func (d *Dataset) ItemID(product string) (int32, bool) {
	id, ok := d.items[product]
	return id, ok
}

// NumEvents counts all events.
func (d *Dataset) NumEvents() int {
	n := 0
	for _, s := range d.Seqs {
		n += len(s)
	}
	return n
}

// Builder accumulates interactions into a Dataset.
type Builder struct {
	items map[string]int32
	users map[string]int32
	d     Dataset
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{items: map[string]int32{}, users: map[string]int32{}}
}

// Add records one interaction.
func (b *Builder) Add(user, product string, typ schemas.EventType, t time.Time) {
	b.AddMillis(user, product, typ, t.UnixMilli())
}

// AddMillis records one interaction at Unix milliseconds ms.
func (b *Builder) AddMillis(user, product string, typ schemas.EventType, ms int64) {
	item := b.Item(product)
	u, ok := b.users[user]
	if !ok {
		u = int32(len(b.d.Users))
		b.users[user] = u
		b.d.Users = append(b.d.Users, user)
		b.d.Seqs = append(b.d.Seqs, nil)
	}
	b.d.Seqs[u] = append(b.d.Seqs[u], Event{Item: item, Type: typ, Time: ms})
}

// Item returns the dense id of product, adding it to the vocabulary if new
// (so a catalog can be registered before any interaction).
func (b *Builder) Item(product string) int32 {
	id, ok := b.items[product]
	if !ok {
		id = int32(len(b.d.Items))
		b.items[product] = id
		b.d.Items = append(b.d.Items, product)
	}
	return id
}

// Build sorts every sequence by (time, item) and returns the Dataset.
// The Builder must not be used afterwards.
func (b *Builder) Build() *Dataset {
	for _, s := range b.d.Seqs {
		slices.SortStableFunc(s, func(x, y Event) int {
			if c := cmp.Compare(x.Time, y.Time); c != 0 {
				return c
			}
			return cmp.Compare(x.Item, y.Item)
		})
	}
	b.d.items = b.items
	return &b.d
}

// WithSeqs returns a Dataset sharing d's vocabulary with other sequences
// (seqs[u] belongs to d.Users[u]); used for train/test splits.
func (d *Dataset) WithSeqs(seqs [][]Event) *Dataset {
	return &Dataset{Items: d.Items, Users: d.Users, Seqs: seqs, items: d.items}
}
