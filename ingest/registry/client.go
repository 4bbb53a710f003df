package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recsys/recsys/schemas"
)

// ErrUnavailable wraps every failure to get an answer from the registry (a
// timeout, a refused connection, a 5xx, a 401): transient, worth a retry,
// never a reason to reject a record.
var ErrUnavailable = errors.New("schema registry unavailable")

// maxSchemaBytes bounds a registry response.
const maxSchemaBytes = 1 << 20

// maxUnknown bounds the ids remembered as unknown, which a producer writing
// garbage frames could otherwise grow without limit.
const maxUnknown = 10_000

// Config configures a Client.
type Config struct {
	// URL is the registry's base URL, e.g. http://schema-registry:8081.
	// Userinfo (https://key:secret@host) is sent as HTTP basic auth and
	// never appears in errors. Required.
	URL string
	// Timeout bounds one request. Default: 5s.
	Timeout time.Duration
	// UnknownTTL is how long an id the registry said it does not know is
	// rejected without asking again. Default: 1m.
	UnknownTTL time.Duration
	// HTTPClient sends the requests. Default: a new http.Client.
	HTTPClient *http.Client
}

// Client resolves Confluent schema ids through a schema registry and reads
// payloads written with those schemas as recsys Events. It implements
// ingest.SchemaResolver. Safe for concurrent use.
type Client struct {
	base       *url.URL // without userinfo
	user, pass string
	auth       bool
	cfg        Config
	http       *http.Client

	mu      sync.RWMutex
	plans   map[uint32]entry     // schemas fetched: a plan, or why none (ids are immutable)
	unknown map[uint32]time.Time // ids the registry does not know, until when
}

type entry struct {
	plan *plan
	err  error // wraps schemas.ErrUnsupportedSchema
}

// New returns a Client for cfg. It does not contact the registry.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the URL must be http(s)://host[:port][/path]")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.UnknownTTL <= 0 {
		cfg.UnknownTTL = time.Minute
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient, plans: map[uint32]entry{}, unknown: map[uint32]time.Time{}}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if u.User != nil {
		c.user, c.auth = u.User.Username(), true
		c.pass, _ = u.User.Password()
		u.User = nil
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	c.base = u
	return c, nil
}

// String names the registry without credentials.
func (c *Client) String() string { return c.base.String() }

// Fetch makes sure the schemas of ids are known, asking the registry for
// those that are not. It returns only transient errors (wrapping
// ErrUnavailable); an id the registry does not know, or a schema that
// cannot be read as an Event, is remembered and makes DecodeEvent reject.
func (c *Client) Fetch(ctx context.Context, ids []uint32) error {
	for _, id := range ids {
		if c.known(id) {
			continue
		}
		if err := c.fetch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// DecodeEvent implements ingest.SchemaResolver. An id not fetched before is
// fetched now, bounded by Config.Timeout; its transient failure is returned
// wrapping ErrUnavailable, which a caller must not treat as bad input (the
// ingest Pipeline fetches first, so it never sees one here).
func (c *Client) DecodeEvent(id uint32, payload []byte) (schemas.Event, error) {
	if !c.known(id) {
		if err := c.fetch(context.Background(), id); err != nil {
			return schemas.Event{}, err
		}
	}
	c.mu.RLock()
	e, ok := c.plans[id]
	c.mu.RUnlock()
	if !ok {
		return schemas.Event{}, fmt.Errorf("%w: schema id %d is not known to the registry", schemas.ErrUnsupportedSchema, id)
	}
	if e.err != nil {
		return schemas.Event{}, e.err
	}
	return e.plan.decode(payload)
}

// known reports whether id needs no request: fetched, or recently unknown.
func (c *Client) known(id uint32) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if _, ok := c.plans[id]; ok {
		return true
	}
	until, ok := c.unknown[id]
	return ok && time.Now().Before(until)
}

// fetch asks the registry for one id and remembers the answer.
func (c *Client) fetch(ctx context.Context, id uint32) error {
	r, found, err := c.get(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !found {
		if len(c.unknown) >= maxUnknown {
			clear(c.unknown)
		}
		c.unknown[id] = time.Now().Add(c.cfg.UnknownTTL)
		return nil
	}
	delete(c.unknown, id)
	c.plans[id] = compileResponse(id, r)
	return nil
}

func compileResponse(id uint32, r schemaResponse) entry {
	var w *node
	var p *plan
	var err error
	switch {
	case r.SchemaType != "" && r.SchemaType != "AVRO":
		err = fmt.Errorf("a %s schema, not Avro", clip(r.SchemaType))
	case len(r.References) > 0:
		err = errors.New("schema references are not supported")
	default:
		if w, err = parseSchema(r.Schema); err == nil {
			p, err = compile(w)
		}
	}
	if err != nil {
		return entry{err: fmt.Errorf("%w: schema id %d: %v", schemas.ErrUnsupportedSchema, id, err)}
	}
	return entry{plan: p}
}

// schemaResponse is the body of GET /schemas/ids/{id}.
type schemaResponse struct {
	Schema     string            `json:"schema"`
	SchemaType string            `json:"schemaType"` // absent for AVRO
	References []json.RawMessage `json:"references"`
}

// get returns the registry's answer for id; found is false when the registry
// answered that it does not know the id (HTTP 404, error_code 40403).
func (c *Client) get(ctx context.Context, id uint32) (r schemaResponse, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	u := *c.base
	u.Path += "/schemas/ids/" + strconv.FormatUint(uint64(id), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return r, false, fmt.Errorf("%w: building request: %v", ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/json")
	if c.auth {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return r, false, fmt.Errorf("%w: fetching schema %d from %s: %v", ErrUnavailable, id, c, cause(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSchemaBytes+1))
	if err != nil {
		return r, false, fmt.Errorf("%w: reading schema %d from %s: %v", ErrUnavailable, id, c, cause(err))
	}
	return c.answer(id, resp.StatusCode, body)
}

// answer interprets the registry's response.
func (c *Client) answer(id uint32, status int, body []byte) (schemaResponse, bool, error) {
	var r schemaResponse
	switch {
	case status == http.StatusNotFound:
		var e struct {
			Code int `json:"error_code"`
		}
		if json.Unmarshal(body, &e) == nil && e.Code == 40403 {
			return r, false, nil
		}
		return r, false, fmt.Errorf("%w: %s answered 404 without a registry error for schema %d: is the URL a schema registry?", ErrUnavailable, c, id)
	case status != http.StatusOK:
		return r, false, fmt.Errorf("%w: %s answered HTTP %d for schema %d", ErrUnavailable, c, status, id)
	case len(body) > maxSchemaBytes:
		return r, false, fmt.Errorf("%w: schema %d is larger than %d bytes", ErrUnavailable, id, maxSchemaBytes)
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Schema == "" {
		return r, false, fmt.Errorf("%w: %s sent no schema for id %d", ErrUnavailable, c, id)
	}
	return r, true, nil
}

// cause strips the URL a *url.Error repeats, keeping what went wrong.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
