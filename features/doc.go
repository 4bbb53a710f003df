// Package features owns everything recsys keeps in Redis: per-user recent
// history, seen and purchased sets, event-id dedupe, time-decayed popularity,
// the product catalog, the latest recommendation per user and versioned model
// snapshots with a current pointer.
//
// Key layout (prefix configurable, "recsys" by default). A user's keys share
// the hash tag {u:<user>} so the per-event script stays valid on Redis Cluster;
// global keys are few and grouped under their own tags:
//
//	<p>:{u:<user>}:hist     ZSET  type\x00gid\x00event_id  scored by event time (ms), capped
//	<p>:{u:<user>}:seen     ZSET  gid -> latest event time, capped
//	<p>:{u:<user>}:bought   ZSET  gid -> latest purchase time
//	<p>:{u:<user>}:origin   HASH  event_id -> topic/partition/offset that first applied it,
//	                        for the events in hist (the dedupe window)
//	<p>:{u:<user>}:recs     STRING latest Recommendation (JSON), with a TTL
//	<p>:{u:<user>}:exposed:serving  HASH gid -> version|event ms|partition|offset of the
//	                        last list that recommended it; #<partition> -> highest trigger
//	                        offset recorded (expires a window after the last list; at most
//	                        1000 products, then it starts over)
//	<p>:{u:<user>}:exposed:shadow   HASH the same for a shadow model's lists
//	<p>:{pop}:scores        ZSET  gid -> forward-decayed popularity
//	<p>:{pop}:hwm           HASH  topic/partition -> highest source offset applied
//	<p>:{pop}:epoch         STRING the forward-decay landmark (ms)
//	<p>:{tally}:hwm         HASH  interactions topic/partition -> highest offset tallied
//	<p>:{tally}:epoch       STRING the forward-decay landmark (ms) of category trending
//	<p>:{tally}:cat:<cat>   ZSET  gid -> forward-decayed popularity within a catalog category
//	<p>:{tally}:count       HASH  gid -> interactions counted (exploration: "few interactions")
//	<p>:{tally}:attributed  HASH  role|version|lists and role|version|<event type> -> count
//	<p>:{catalog}:products  HASH  gid -> Product (JSON)
//	<p>:{catalog}:handles   HASH  handle -> gid
//	<p>:{catalog}:version   STRING counter bumped by every catalog write
//	<p>:{model:<name>}:…    model snapshots: <version>:meta, <version>:<chunk>, current, versions, seq
//
// Delivery: every write is idempotent so that at-least-once input gives
// exactly-once effects. Per-user effects are applied by a Lua script that
// takes a user's events of a batch, and up to 64 users per call on a single
// Redis (one on a Redis Cluster, where a script's keys share a slot: the
// hash tag {u:<user>}). They are idempotent in themselves (ZADD of the same member
// and score); the script records which source offset first applied each
// event id, so a redelivery of the same record (a replay after a crash) is
// told apart from a genuine duplicate sent twice by a tracker, which is
// dropped. An id is remembered while its event is in the user's history; ids
// of events an identity merge pushed out stay until the keys expire.
// Popularity is global and is made idempotent by a per-partition high-water
// mark of source offsets instead of a global set of event ids. The scorer's
// tallies (category trending, interaction counts, attribution) follow the
// same pattern with the offsets of the interaction log (Tally), and a user's
// recorded lists with a high-water mark of trigger offsets per partition
// (RecordExposures), so list counts survive redeliveries and replays. A list
// counted and then lost in a crash before its offsets commit is not counted
// again: list counts may fall short, never double.
//
// Popularity uses forward decay (Cormode et al. 2009): an event at time t adds
// w·2^((t−epoch)/halfLife), so ranking never needs rewriting old scores. Scores
// overflow float64 after about 1000 half-lives from the epoch (8 years at the
// default 72 h half-life).
//
// A Store is safe for concurrent use; it holds no state beyond the client.
package features
