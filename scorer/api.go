package scorer

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// List is a recommendation with the source of each item (SourceModel,
// SourcePinned, …), for explaining it.
type List struct {
	schemas.Recommendation
	Sources []string `json:"sources"`
}

// Recommend computes a list of n products for user now, with the served
// model and the rules, without producing or caching it. A user without
// history gets trending products (reason popular). Safe for concurrent use,
// also while Run is running.
func (s *Stage) Recommend(ctx context.Context, user string, n int) (List, error) {
	users, err := s.store.Users(ctx, []string{user}, s.cfg.HistoryLen)
	if err != nil {
		return List{}, err
	}
	now := time.Now().UTC()
	model := s.Current()
	out, err := s.build(ctx, model, []request{{user: users[0], n: n, at: now, seed: user}}, newLookup(s.store, s.cache), nil)
	if err != nil {
		return List{}, err
	}
	version := versionOf(model)
	sum := sha256.Sum256([]byte(version + "|pull|" + user + "|" + strconv.FormatInt(now.UnixNano(), 10)))
	return List{Recommendation: schemas.Recommendation{
		UserID: user, RecommendationID: hex.EncodeToString(sum[:12]), Items: out[0].items,
		ModelVersion: version, Reason: out[0].reason, GeneratedAt: now,
	}, Sources: out[0].sources}, nil
}

// API returns the pull API handler:
//
//	GET /v1/users/{id}/recommendations?n=
//
// It answers with the user's cached list (header Recsys-Cache: hit), or,
// when none is cached or it is shorter than n, one computed now with the
// served model (Recsys-Cache: miss), as a Recommendation in JSON. n defaults
// to Config.N and is at most 1000. The cache is written while the list is
// produced, so for a moment after a list appears on the output topic the API
// may still answer with the one before it. With a non-empty token every request must
// carry "Authorization: Bearer <token>"; the comparison takes constant time
// and the token is never logged.
func (s *Stage) API(token string) http.Handler {
	want := sha256.Sum256([]byte(token))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/users/{id}/recommendations", func(w http.ResponseWriter, r *http.Request) {
		if token != "" && !authorized(r, want) {
			s.metrics.api.WithLabelValues("unauthorized").Inc()
			w.Header().Set("WWW-Authenticate", `Bearer realm="recsys"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s.serveList(w, r)
	})
	return mux
}

func authorized(r *http.Request, want [32]byte) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(got)) // equal lengths: the compare leaks nothing
	return subtle.ConstantTimeCompare(sum[:], want[:]) == 1 && ok
}

func (s *Stage) serveList(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("id")
	n := s.cfg.N
	if q := r.URL.Query().Get("n"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 1 || v > 1000 {
			s.metrics.api.WithLabelValues("bad_request").Inc()
			http.Error(w, "n must be an integer in 1..1000", http.StatusBadRequest)
			return
		}
		n = v
	}
	if user == "" {
		s.metrics.api.WithLabelValues("bad_request").Inc()
		http.Error(w, "user id required", http.StatusBadRequest)
		return
	}
	rec, hit, err := s.pull(r.Context(), user, n)
	if err != nil {
		s.metrics.api.WithLabelValues("error").Inc()
		s.log.Warn("serving a pull request", "user_id", user, "err", err)
		http.Error(w, "recommendations unavailable", http.StatusServiceUnavailable)
		return
	}
	outcome := map[bool]string{true: "hit", false: "miss"}[hit]
	s.metrics.api.WithLabelValues(outcome).Inc()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Recsys-Cache", outcome)
	_ = json.NewEncoder(w).Encode(rec)
}

// pull returns the cached list cut to n, or computes one.
func (s *Stage) pull(ctx context.Context, user string, n int) (schemas.Recommendation, bool, error) {
	rec, err := s.store.Recommendation(ctx, user)
	switch {
	case err == nil && len(rec.Items) >= n:
		rec.Items = rec.Items[:n]
		return rec, true, nil
	case err != nil && !errors.Is(err, features.ErrNotFound):
		return rec, false, err
	}
	l, err := s.Recommend(ctx, user, n)
	return l.Recommendation, false, err
}
