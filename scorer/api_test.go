package scorer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func TestPullAPIAnswersKnownAndUnknownUsersAndRejectsBadTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3, 4)})
	h.interact(t, "fan", schemas.Purchase, 5) // popularity for the unknown user
	s, _ := h.start(t, scorer.Config{N: 3})
	rd := h.output(t)
	streamed := nextFor(t, rd, "u", h.interact(t, "u", schemas.View, 9))
	h.cached(t, "u", streamed.RecommendationID)
	srv := httptest.NewServer(s.API("s3cret"))
	defer srv.Close()

	tests := []struct {
		name, path, token string
		status            int
		cache             string
		check             func(t *testing.T, r schemas.Recommendation)
	}{
		{"a known user gets the cached list", "/v1/users/u/recommendations", "s3cret", 200, "hit", func(t *testing.T, r schemas.Recommendation) {
			if r.RecommendationID != streamed.RecommendationID || !slices.Equal(itemsOf(r), itemsOf(streamed)) {
				t.Errorf("got %+v; want the streamed list %+v", r, streamed)
			}
		}},
		{"n cuts the cached list", "/v1/users/u/recommendations?n=2", "s3cret", 200, "hit", func(t *testing.T, r schemas.Recommendation) {
			if !slices.Equal(itemsOf(r), itemsOf(streamed)[:2]) {
				t.Errorf("items %v; want the first two of %v", itemsOf(r), itemsOf(streamed))
			}
		}},
		{"more than cached is computed now", "/v1/users/u/recommendations?n=4", "s3cret", 200, "miss", func(t *testing.T, r schemas.Recommendation) {
			if len(r.Items) != 4 || r.ModelVersion != "v1" || r.UserID != "u" {
				t.Errorf("got %+v; want 4 items from v1", r)
			}
		}},
		{"an unknown user gets popular products", "/v1/users/nobody/recommendations", "s3cret", 200, "miss", func(t *testing.T, r schemas.Recommendation) {
			if r.UserID != "nobody" || len(r.Items) == 0 || r.ModelVersion != "v1" {
				t.Errorf("got %+v; want a list from v1", r)
			}
		}},
		{"a missing token is rejected", "/v1/users/u/recommendations", "", 401, "", nil},
		{"a wrong token is rejected", "/v1/users/u/recommendations", "s3cret-not", 401, "", nil},
		{"a bad n is rejected", "/v1/users/u/recommendations?n=0", "s3cret", 400, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Recsys-Cache") != tc.cache {
				t.Fatalf("status %d, cache %q; want %d, %q", resp.StatusCode, resp.Header.Get("Recsys-Cache"), tc.status, tc.cache)
			}
			if tc.check != nil {
				var r schemas.Recommendation
				if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
					t.Fatal(err)
				}
				tc.check(t, r)
			}
		})
	}
}

// cached waits until the user's cached list is the one with id: the scorer
// caches a list while it produces it, so a reader of the output topic can
// see the list a moment before the cache does.
func (h *harness) cached(t *testing.T, user, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := h.store.Recommendation(context.Background(), user)
		if err == nil && r.RecommendationID == id {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cached list of %s is %q (err %v); want %q", user, r.RecommendationID, err, id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
