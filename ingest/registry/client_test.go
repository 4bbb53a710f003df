package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recsys/recsys/ingest/registry"
	"github.com/recsys/recsys/schemas"
)

// fakeRegistry answers GET /schemas/ids/{id} like a Confluent registry: id 1
// is the embedded Event schema, id 2 a Protobuf schema, others 404 40403.
type fakeRegistry struct {
	requests atomic.Int64
	delay    time.Duration
	status   int // answer every request with this status, if set
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if user, pass, ok := r.BasicAuth(); ok && (user != "key" || pass != "s3cret-pass") {
		http.Error(w, `{"error_code":40101,"message":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	select {
	case <-time.After(f.delay):
	case <-r.Context().Done():
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	switch strings.TrimPrefix(r.URL.Path, "/base") {
	case "/schemas/ids/1":
		_ = json.NewEncoder(w).Encode(map[string]string{"schema": schemas.Schemas()["Event"]})
	case "/schemas/ids/2":
		_ = json.NewEncoder(w).Encode(map[string]string{"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF"})
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
	}
}

func newClient(t *testing.T, f *fakeRegistry, cfg registry.Config) *registry.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if cfg.URL == "" {
		cfg.URL = srv.URL
	} else {
		cfg.URL = strings.Replace(cfg.URL, "HOST", strings.TrimPrefix(srv.URL, "http://"), 1)
	}
	c, err := registry.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func payload(t *testing.T) (schemas.Event, []byte) {
	codecs, err := schemas.NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	e := schemas.Event{EventID: "e1", UserID: "u1", Type: schemas.View, Product: "7", Quantity: 1, Time: time.UnixMilli(1772449200123).UTC()}
	framed, err := codecs.EncodeEventConfluent(e, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e, framed[5:]
}

func TestASchemaIsFetchedOnceAndCached(t *testing.T) {
	t.Parallel()
	f := &fakeRegistry{}
	c := newClient(t, f, registry.Config{URL: "http://key:s3cret-pass@HOST/base/"})
	e, p := payload(t)
	if err := c.Fetch(context.Background(), []uint32{1, 1}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := c.DecodeEvent(1, p)
		if err != nil || got != e {
			t.Fatalf("DecodeEvent = %+v, %v; want %+v", got, err, e)
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if strings.Contains(c.String(), "s3cret") {
		t.Errorf("String() = %q shows the password", c)
	}
}

func TestAnUnknownIdOrANonAvroSchemaIsUnsupported(t *testing.T) {
	t.Parallel()
	f := &fakeRegistry{}
	c := newClient(t, f, registry.Config{UnknownTTL: 50 * time.Millisecond})
	_, p := payload(t)
	for _, id := range []uint32{2, 404} {
		if err := c.Fetch(context.Background(), []uint32{id}); err != nil {
			t.Fatalf("Fetch(%d) = %v, want nil: a schema it does not have is not an outage", id, err)
		}
		if _, err := c.DecodeEvent(id, p); !errors.Is(err, schemas.ErrUnsupportedSchema) {
			t.Errorf("DecodeEvent(%d) = %v, want ErrUnsupportedSchema", id, err)
		}
	}
	before := f.requests.Load()
	_ = c.Fetch(context.Background(), []uint32{404})
	if f.requests.Load() != before {
		t.Error("an unknown id was asked for again within its TTL")
	}
	time.Sleep(60 * time.Millisecond)
	_ = c.Fetch(context.Background(), []uint32{404})
	if f.requests.Load() != before+1 {
		t.Error("an unknown id was not asked for again after its TTL")
	}
}

func TestAnOutageIsTransientNeverUnsupported(t *testing.T) {
	t.Parallel()
	cases := map[string]*fakeRegistry{
		"a timeout":               {delay: time.Second},
		"a 503":                   {status: http.StatusServiceUnavailable},
		"a 404 of another server": {status: http.StatusNotFound},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, f, registry.Config{Timeout: 100 * time.Millisecond})
			start := time.Now()
			err := c.Fetch(context.Background(), []uint32{1})
			if !errors.Is(err, registry.ErrUnavailable) || errors.Is(err, schemas.ErrUnsupportedSchema) {
				t.Fatalf("Fetch = %v, want ErrUnavailable only", err)
			}
			if d := time.Since(start); d > 900*time.Millisecond {
				t.Errorf("Fetch took %v with a 100ms timeout", d)
			}
			_, p := payload(t)
			if _, err := c.DecodeEvent(1, p); !errors.Is(err, registry.ErrUnavailable) {
				t.Errorf("DecodeEvent after an outage = %v, want ErrUnavailable (asked again, not cached)", err)
			}
		})
	}
	refused := newClient(t, &fakeRegistry{}, registry.Config{URL: "http://key:s3cret-pass@127.0.0.1:1"})
	err := refused.Fetch(context.Background(), []uint32{1})
	if !errors.Is(err, registry.ErrUnavailable) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a refused connection: %v, want ErrUnavailable without the password", err)
	}
	wrongAuth := newClient(t, &fakeRegistry{}, registry.Config{URL: "http://key:wrong@HOST"})
	if err := wrongAuth.Fetch(context.Background(), []uint32{1}); !errors.Is(err, registry.ErrUnavailable) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a 401: %v, want ErrUnavailable (a credentials problem is not bad input)", err)
	}
}

func TestNewRejectsAURLThatIsNotHTTP(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "schema-registry:8081", "ftp://x", "http://"} {
		if _, err := registry.New(registry.Config{URL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
