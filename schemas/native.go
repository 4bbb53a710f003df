package schemas

import "time"

// Conversions between typed records and goavro's native form. goavro maps
// timestamp-millis to time.Time, enums to string, records to map[string]any.

func eventNative(e Event) map[string]any {
	return map[string]any{
		"event_id": e.EventID, "user_id": e.UserID, "session_id": e.SessionID,
		"type": string(e.Type), "product": e.Product, "variant": e.Variant,
		"quantity": int32(e.Quantity), "price": e.Price, "currency": e.Currency,
		"ts": e.Time.UTC(),
	}
}

func eventFromNative(m map[string]any) Event {
	return Event{
		EventID: str(m, "event_id"), UserID: str(m, "user_id"), SessionID: str(m, "session_id"),
		Type: EventType(str(m, "type")), Product: str(m, "product"), Variant: str(m, "variant"),
		Quantity: int(i32(m, "quantity")), Price: f64(m, "price"), Currency: str(m, "currency"),
		Time: ts(m, "ts"),
	}
}

func interactionNative(i Interaction) map[string]any {
	return map[string]any{
		"event_id": i.EventID, "user_id": i.UserID, "session_id": i.SessionID,
		"type": string(i.Type), "product_gid": i.ProductGID, "variant_gid": i.VariantGID,
		"quantity": int32(i.Quantity), "price": i.Price, "currency": i.Currency,
		"ts":     i.Time.UTC(),
		"source": offsetNative(i.Source),
	}
}

func interactionFromNative(m map[string]any) Interaction {
	return Interaction{
		EventID: str(m, "event_id"), UserID: str(m, "user_id"), SessionID: str(m, "session_id"),
		Type: EventType(str(m, "type")), ProductGID: str(m, "product_gid"), VariantGID: str(m, "variant_gid"),
		Quantity: int(i32(m, "quantity")), Price: f64(m, "price"), Currency: str(m, "currency"),
		Time: ts(m, "ts"), Source: offsetFromNative(rec(m, "source")),
	}
}

func offsetNative(o Offset) map[string]any {
	return map[string]any{"topic": o.Topic, "partition": int32(o.Partition), "offset": o.Offset}
}

func offsetFromNative(m map[string]any) Offset {
	return Offset{Topic: str(m, "topic"), Partition: int(i32(m, "partition")), Offset: i64(m, "offset")}
}

func recommendationNative(r Recommendation) map[string]any {
	items := make([]any, len(r.Items))
	for k, it := range r.Items {
		items[k] = map[string]any{"product_gid": it.ProductGID, "score": it.Score}
	}
	trigger := offsetNative(r.Trigger.Offset)
	trigger["event_id"] = r.Trigger.EventID
	return map[string]any{
		"user_id": r.UserID, "recommendation_id": r.RecommendationID, "items": items,
		"model_version": r.ModelVersion, "reason": r.Reason, "generated_at": r.GeneratedAt.UTC(),
		"trigger": trigger,
	}
}

func recommendationFromNative(m map[string]any) Recommendation {
	raw, _ := m["items"].([]any)
	items := make([]ScoredItem, 0, len(raw))
	for _, x := range raw {
		it, _ := x.(map[string]any)
		items = append(items, ScoredItem{ProductGID: str(it, "product_gid"), Score: f64(it, "score")})
	}
	t := rec(m, "trigger")
	return Recommendation{
		UserID: str(m, "user_id"), RecommendationID: str(m, "recommendation_id"), Items: items,
		ModelVersion: str(m, "model_version"), Reason: str(m, "reason"), GeneratedAt: ts(m, "generated_at"),
		Trigger: Trigger{EventID: str(t, "event_id"), Offset: offsetFromNative(t)},
	}
}

func modelUpdateNative(u ModelUpdate) map[string]any {
	offsets := make([]any, len(u.Offsets))
	for k, r := range u.Offsets {
		offsets[k] = map[string]any{"topic": r.Topic, "partition": int32(r.Partition), "start": r.Start, "end": r.End}
	}
	metrics := make(map[string]any, len(u.Metrics))
	for k, v := range u.Metrics {
		metrics[k] = v
	}
	return map[string]any{
		"name": u.Name, "version": u.Version, "trained_at": u.TrainedAt.UTC(),
		"window_start": u.WindowStart.UTC(), "window_end": u.WindowEnd.UTC(),
		"offsets": offsets, "metrics": metrics, "location": u.Location,
		"config_hash": u.ConfigHash, "previous_version": u.PreviousVersion,
	}
}

func modelUpdateFromNative(m map[string]any) ModelUpdate {
	raw, _ := m["offsets"].([]any)
	offsets := make([]PartitionRange, 0, len(raw))
	for _, x := range raw {
		r, _ := x.(map[string]any)
		offsets = append(offsets, PartitionRange{
			Topic: str(r, "topic"), Partition: int(i32(r, "partition")), Start: i64(r, "start"), End: i64(r, "end"),
		})
	}
	rawMetrics, _ := m["metrics"].(map[string]any)
	metrics := make(map[string]float64, len(rawMetrics))
	for k := range rawMetrics {
		metrics[k] = f64(rawMetrics, k)
	}
	return ModelUpdate{
		Name: str(m, "name"), Version: str(m, "version"), TrainedAt: ts(m, "trained_at"),
		WindowStart: ts(m, "window_start"), WindowEnd: ts(m, "window_end"), Offsets: offsets,
		Metrics: metrics, Location: str(m, "location"), ConfigHash: str(m, "config_hash"),
		PreviousVersion: str(m, "previous_version"),
	}
}

func productNative(p Product) map[string]any {
	return map[string]any{
		"gid": p.GID, "handle": p.Handle, "title": p.Title, "category": p.Category,
		"price": p.Price, "available": p.Available,
	}
}

func productFromNative(m map[string]any) Product {
	avail, _ := m["available"].(bool)
	return Product{
		GID: str(m, "gid"), Handle: str(m, "handle"), Title: str(m, "title"),
		Category: str(m, "category"), Price: f64(m, "price"), Available: avail,
	}
}

func str(m map[string]any, k string) string { v, _ := m[k].(string); return v }
func i32(m map[string]any, k string) int32  { v, _ := m[k].(int32); return v }
func i64(m map[string]any, k string) int64  { v, _ := m[k].(int64); return v }
func f64(m map[string]any, k string) float64 {
	v, _ := m[k].(float64)
	return v
}
func rec(m map[string]any, k string) map[string]any { v, _ := m[k].(map[string]any); return v }
func ts(m map[string]any, k string) time.Time {
	v, _ := m[k].(time.Time)
	return v.UTC()
}
