// Package eval is the offline evaluation behind `recsys eval`: it splits an
// interaction log by one of the protocols of docs/EVALUATION.md (LLO,
// temporal, random 80/20 per user, EXP for explicit ratings), fits every
// requested model on the training part, ranks every training item for each
// test user (full ranking, the user's own training items excluded) and
// scores the lists: HR, NDCG, MRR, precision, recall and MAP at each K and
// catalog coverage; RMSE, MAE and R² for explicit models. A popularity row
// is always included. AddBlend adds a row for the blend of every model, its
// weights tuned on a validation split carved from training; RunSLI scores
// protocol SLI's fixed 1+9 groups (AUC, group AUC, MRR, NDCG@2/4/6).
//
// It consumes trainer.Datasets (or explicit.Ratings) read by
// trainer/datasets and the algorithms of trainer/models, and produces a
// Report that renders as a table, JSON, per-model top-K files and a PNG plot.
// Metrics are deterministic for a fixed seed; BPR's model also depends on the
// thread count (its parallel SGD is stratified by thread), so compare BPR
// rows at equal --threads. Timings are wall-clock and vary. Run is safe to
// call concurrently; a Report is plain data.
package eval
