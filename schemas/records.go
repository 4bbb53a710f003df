package schemas

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EventType is what a shopper did with a product.
type EventType string

// The event types of the canonical schema, in increasing order of intent.
const (
	View           EventType = "view"
	AddToCart      EventType = "add_to_cart"
	RemoveFromCart EventType = "remove_from_cart"
	Purchase       EventType = "purchase"
)

// EventTypes lists every valid EventType.
var EventTypes = []EventType{View, AddToCart, RemoveFromCart, Purchase}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool {
	switch t {
	case View, AddToCart, RemoveFromCart, Purchase:
		return true
	}
	return false
}

// Event is a canonical clickstream event as a producer sends it.
// Product may be a GID, a numeric product id or a handle; ingest normalizes it.
type Event struct {
	EventID   string    `json:"event_id"`
	UserID    string    `json:"user_id"`
	SessionID string    `json:"session_id,omitempty"`
	Type      EventType `json:"type"`
	Product   string    `json:"product"`
	Variant   string    `json:"variant,omitempty"`
	Quantity  int       `json:"quantity,omitempty"`
	Price     float64   `json:"price,omitempty"`
	Currency  string    `json:"currency,omitempty"`
	Time      time.Time `json:"ts"`
}

// Offset names one Kafka record.
type Offset struct {
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
}

// String formats o as topic/partition/offset.
func (o Offset) String() string { return fmt.Sprintf("%s/%d/%d", o.Topic, o.Partition, o.Offset) }

// Interaction is a validated, normalized event: the unit of the training log.
type Interaction struct {
	EventID    string    `json:"event_id"`
	UserID     string    `json:"user_id"`
	SessionID  string    `json:"session_id,omitempty"`
	Type       EventType `json:"type"`
	ProductGID string    `json:"product_gid"`
	VariantGID string    `json:"variant_gid,omitempty"`
	Quantity   int       `json:"quantity"`
	Price      float64   `json:"price,omitempty"`
	Currency   string    `json:"currency,omitempty"`
	Time       time.Time `json:"ts"`
	Source     Offset    `json:"source"`
}

// ScoredItem is one recommended product.
type ScoredItem struct {
	ProductGID string  `json:"product_gid"`
	Score      float64 `json:"score"`
}

// Trigger names the interaction a recommendation answers.
type Trigger struct {
	EventID string `json:"event_id"`
	Offset
}

// Reasons a list was produced, as in the reason codes of managed recommenders.
const (
	ReasonPersonalized = "personalized"
	ReasonPopular      = "popular"
	ReasonBackfill     = "backfill"
)

// Recommendation is the top-N list for one user.
type Recommendation struct {
	UserID           string       `json:"user_id"`
	RecommendationID string       `json:"recommendation_id"`
	Items            []ScoredItem `json:"items"`
	ModelVersion     string       `json:"model_version"`
	Reason           string       `json:"reason"`
	GeneratedAt      time.Time    `json:"generated_at"`
	Trigger          Trigger      `json:"trigger"`
}

// PartitionRange is the [Start, End) offsets of one partition.
type PartitionRange struct {
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Start     int64  `json:"start"`
	End       int64  `json:"end"`
}

// ModelUpdate announces a promoted snapshot.
type ModelUpdate struct {
	Name            string             `json:"name"`
	Version         string             `json:"version"`
	TrainedAt       time.Time          `json:"trained_at"`
	WindowStart     time.Time          `json:"window_start"`
	WindowEnd       time.Time          `json:"window_end"`
	Offsets         []PartitionRange   `json:"offsets"`
	Metrics         map[string]float64 `json:"metrics"`
	Location        string             `json:"location"`
	ConfigHash      string             `json:"config_hash,omitempty"`
	PreviousVersion string             `json:"previous_version,omitempty"`
}

// Product is a catalog entry.
type Product struct {
	GID       string  `json:"gid"`
	Handle    string  `json:"handle,omitempty"`
	Title     string  `json:"title,omitempty"`
	Category  string  `json:"category,omitempty"`
	Price     float64 `json:"price,omitempty"`
	Available bool    `json:"available"`
}

const (
	productGIDPrefix = "gid://shopify/Product/"
	variantGIDPrefix = "gid://shopify/ProductVariant/"
)

// ProductGID returns the Shopify product GID for a numeric id.
func ProductGID(id uint64) string { return productGIDPrefix + strconv.FormatUint(id, 10) }

// VariantGID returns the Shopify variant GID for a numeric id.
func VariantGID(id uint64) string { return variantGIDPrefix + strconv.FormatUint(id, 10) }

// ParseProductGID returns the numeric id of a product GID.
func ParseProductGID(gid string) (uint64, bool) { return parseGID(gid, productGIDPrefix) }

// ParseVariantGID returns the numeric id of a variant GID.
func ParseVariantGID(gid string) (uint64, bool) { return parseGID(gid, variantGIDPrefix) }

func parseGID(gid, prefix string) (uint64, bool) {
	rest, ok := strings.CutPrefix(gid, prefix)
	if !ok || rest == "" || len(rest) > 20 {
		return 0, false
	}
	id, err := strconv.ParseUint(rest, 10, 64)
	return id, err == nil && id > 0
}
