package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/segmentio/kafka-go"
	"go.yaml.in/yaml/v3"

	"github.com/recsys/recsys/features"
)

const (
	dashboardFile = "../../deploy/grafana/recsys-dashboard.json"
	// dashboardDatasource is the datasource template variable every panel
	// and target queries through.
	dashboardDatasource = "${DS_PROMETHEUS}"
)

// grafanaDashboard is the part of the dashboard JSON these tests check.
type grafanaDashboard struct {
	SchemaVersion int            `json:"schemaVersion"`
	Panels        []grafanaPanel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string             `json:"name"`
			Type       string             `json:"type"`
			Query      json.RawMessage    `json:"query"`
			Datasource *grafanaDatasource `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type grafanaPanel struct {
	ID          int                `json:"id"`
	Title       string             `json:"title"`
	Type        string             `json:"type"`
	Datasource  *grafanaDatasource `json:"datasource"`
	GridPos     struct{ X, Y, W, H int }
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []struct {
		Expr       string             `json:"expr"`
		RefID      string             `json:"refId"`
		Datasource *grafanaDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"` // of a collapsed row
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

func readDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s does not parse: %v", dashboardFile, err)
	}
	if d.SchemaVersion < 36 || len(d.Panels) == 0 {
		t.Fatalf("%s: schemaVersion %d with %d panels; want a Grafana 9+ dashboard with panels", dashboardFile, d.SchemaVersion, len(d.Panels))
	}
	return d
}

// allPanels flattens the panels of collapsed rows into the list.
func (d grafanaDashboard) allPanels() []grafanaPanel {
	var out []grafanaPanel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// queries returns every PromQL expression of the dashboard, named by where it is.
func (d grafanaDashboard) queries(t *testing.T) map[string]string {
	t.Helper()
	q := map[string]string{}
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			q[fmt.Sprintf("panel %d %q target %s", p.ID, p.Title, tg.RefID)] = tg.Expr
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		expr, err := variableExpr(v.Query)
		if err != nil {
			t.Errorf("variable %s: %v", v.Name, err)
			continue
		}
		q["variable "+v.Name] = expr
	}
	return q
}

// variableExpr returns the series selector of a Prometheus variable query:
// label_values(selector, label), label_values(label) or query_result(expr).
// The query is a string or, since Grafana 10, {"query": string, …}.
func variableExpr(raw json.RawMessage) (string, error) {
	var q string
	if err := json.Unmarshal(raw, &q); err != nil {
		var obj struct{ Query string }
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", fmt.Errorf("query is neither a string nor an object: %s", raw)
		}
		q = obj.Query
	}
	q = strings.TrimSpace(q)
	if inner, ok := strings.CutPrefix(q, "query_result("); ok {
		return strings.TrimSuffix(inner, ")"), nil
	}
	inner, ok := strings.CutPrefix(q, "label_values(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", fmt.Errorf("unsupported variable query %q", q)
	}
	inner = strings.TrimSuffix(inner, ")")
	if k := strings.LastIndexByte(inner, ','); k >= 0 {
		return inner[:k], nil // the selector; the last argument is a label name
	}
	return "", nil // label_values(label): no metric
}

// promRef is one metric name in a PromQL expression and the functions and
// aggregations around it, outermost first.
type promRef struct {
	name  string
	calls []string
}

// innermost is the function applied directly to the selector, "" for none.
func (r promRef) innermost() string {
	if len(r.calls) == 0 {
		return ""
	}
	return r.calls[len(r.calls)-1]
}

var (
	// promAggregations may take their label list before the parenthesis:
	// sum by (le) (…).
	promAggregations = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
		"bottomk", "topk", "quantile", "limitk", "limit_ratio"}
	// promLabelLists are followed by a parenthesized list of label names.
	promLabelLists = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}
	// promKeywords are the other bare words of PromQL that are no metric.
	promKeywords = []string{"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}
)

const labelList = "(labels)" // the stack entry of a by/without/on/… list

// promMetrics tokenizes a PromQL expression (with Grafana variables) and
// returns the metric names it selects. It skips strings, label matchers
// ({…}), ranges and subqueries ([…]), numbers and durations, Grafana
// variables, function names (a word before "("), aggregations, keywords and
// the label names of by/without/on/ignoring/group_left/group_right lists.
func promMetrics(expr string) ([]promRef, error) {
	l := &promLexer{expr: expr}
	for l.i < len(expr) {
		if err := l.step(); err != nil {
			return nil, err
		}
	}
	if len(l.stack) != 0 {
		return nil, fmt.Errorf("%d unclosed (", len(l.stack))
	}
	return l.refs, nil
}

// promLexer is the state of promMetrics between tokens.
type promLexer struct {
	expr    string
	i       int
	stack   []string // per open parenthesis: its function, "" for grouping, or labelList
	pending string   // a function or aggregation whose parenthesis is still to come
	labels  bool     // the next parenthesis opens a label list
	refs    []promRef
}

// step consumes one token.
func (l *promLexer) step() (err error) {
	c := l.expr[l.i]
	switch {
	case c == '"' || c == '\'' || c == '`':
		l.i, err = promSkipString(l.expr, l.i)
	case c == '{' || c == '[':
		l.i, err = promSkipGroup(l.expr, l.i)
	case c == '$' && l.i+1 < len(l.expr) && l.expr[l.i+1] == '{': // ${var}, ${var:fmt}
		l.i, err = promSkipGroup(l.expr, l.i+1)
	case c == '$': // $var
		l.i++
		l.word()
	case c == '#':
		for l.i < len(l.expr) && l.expr[l.i] != '\n' {
			l.i++
		}
	case c == '(':
		if l.labels { // the aggregation stays pending past its label list
			l.stack, l.labels = append(l.stack, labelList), false
		} else {
			l.stack, l.pending = append(l.stack, l.pending), ""
		}
		l.i++
	case c == ')':
		if len(l.stack) == 0 {
			return fmt.Errorf("unbalanced ) at %d", l.i)
		}
		l.stack = l.stack[:len(l.stack)-1]
		l.i++
	case c >= '0' && c <= '9' || c == '.' && l.i+1 < len(l.expr) && l.expr[l.i+1] >= '0' && l.expr[l.i+1] <= '9':
		for l.i < len(l.expr) && (isPromWordByte(l.expr[l.i]) || l.expr[l.i] == '.') {
			l.i++ // 0.99, 1e3, 5m, 1h30m
		}
	case isPromWordByte(c):
		l.classify(l.word())
	default: // blanks, operators, commas, @
		l.i++
	}
	return err
}

// word consumes and returns a name.
func (l *promLexer) word() string {
	start := l.i
	for l.i < len(l.expr) && isPromWordByte(l.expr[l.i]) {
		l.i++
	}
	return l.expr[start:l.i]
}

// classify records word as a metric unless it is a label name, a keyword,
// an aggregation or a function.
func (l *promLexer) classify(word string) {
	next := strings.TrimLeft(l.expr[l.i:], " \t\r\n")
	switch {
	case len(l.stack) > 0 && l.stack[len(l.stack)-1] == labelList:
	case slices.Contains(promLabelLists, word):
		l.labels = true
	case strings.HasPrefix(next, "(") || slices.Contains(promAggregations, word):
		l.pending = word
	case slices.Contains(promKeywords, word):
	default:
		l.refs = append(l.refs, promRef{name: word, calls: slices.Clone(l.stack)})
	}
}

func isPromWordByte(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// promSkipString returns the index after the string literal starting at i.
func promSkipString(expr string, i int) (int, error) {
	quote := expr[i]
	for j := i + 1; j < len(expr); j++ {
		switch {
		case expr[j] == '\\' && quote != '`':
			j++
		case expr[j] == quote:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at %d", i)
}

// promSkipGroup returns the index after the {…} or […] starting at i,
// skipping the strings inside.
func promSkipGroup(expr string, i int) (int, error) {
	open := expr[i]
	closing := map[byte]byte{'{': '}', '[': ']'}[open]
	depth := 0
	for j := i; j < len(expr); {
		switch expr[j] {
		case '"', '\'', '`':
			end, err := promSkipString(expr, j)
			if err != nil {
				return 0, err
			}
			j = end
			continue
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
		j++
	}
	return 0, fmt.Errorf("unclosed %c at %d", open, i)
}

func TestDashboardPromQLTokenizerFindsOnlyMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"a histogram quantile keeps the bucket and its enclosing calls",
			`histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{job=~"$job", le!="+Inf"}[$__rate_interval])))`,
			[]string{"a_seconds_bucket histogram_quantile/sum/rate"}},
		{"label lists, keywords, numbers and offsets are skipped",
			`sum(rate(b_total[5m] offset 1h)) by (outcome) / on (job) group_left (instance) c > bool 0.5 and d unless e`,
			[]string{"b_total sum/rate", "c ", "d ", "e "}},
		{"strings and Grafana variables are skipped",
			`label_replace(f{x="g h", y='i'}, "dst", "$1", "src", "(.*)") * ${factor} + $other`,
			[]string{"f label_replace"}},
		{"functions without arguments are no metric", `time() - max(g_seconds > 0)`, []string{"g_seconds max"}},
		{"a selector by __name__ alone has no metric name", `{__name__=~"recsys_.+", job="x"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := promMetrics(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.name+" "+strings.Join(r.calls, "/"))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("promMetrics(%s)\n got %q\nwant %q", tt.expr, got, tt.want)
			}
		})
	}
	for _, bad := range []string{`sum(rate(x[5m])`, `x{a="b"`, `rate(x))`, `x{a="b}`} {
		if _, err := promMetrics(bad); err == nil {
			t.Errorf("promMetrics(%s) = nil error; want one", bad)
		}
	}
}

// recordingRegisterer registers on the binary's registry and keeps every
// collector, whose Describe names the metric families the registry's Gather
// leaves out: vectors with no child yet, and collectors that ask a broker.
type recordingRegisterer struct {
	prometheus.Registerer
	collectors *[]prometheus.Collector
}

func (r recordingRegisterer) Register(c prometheus.Collector) error {
	*r.collectors = append(*r.collectors, c)
	return r.Registerer.Register(c)
}

func (r recordingRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err) // MustRegister's contract
		}
	}
}

// binaryMetrics builds the registry `recsys run all` serves on /metrics,
// with the defaults of every flag, and returns the names of its metric
// families with their types where Gather knows them (COUNTER, GAUGE,
// HISTOGRAM, …). It follows runStages and runPipeline: the Go and process
// collectors, each stage's workers through newStage on a registerer wrapped
// with a worker label, and the lag collector. Nothing connects: the stages
// only connect in Run, the lag collector is described, never collected.
func binaryMetrics(t *testing.T) (names map[string]bool, types map[string]string) {
	t.Helper()
	var c config
	f := newFlagSet("run all", func(string) string { return "" }, io.Discard)
	c.define(f)
	if err := f.parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	var cs []prometheus.Collector
	rec := recordingRegisterer{Registerer: reg, collectors: &cs}
	rec.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rdb := c.redisClient()
	defer rdb.Close()
	store := features.New(rdb, c.Store)
	log := slog.New(slog.DiscardHandler)
	for _, name := range stageNames {
		for w := 0; w < c.workers(name); w++ {
			wreg := prometheus.WrapRegistererWith(prometheus.Labels{"worker": strconv.Itoa(w)}, rec)
			if _, _, err := newStage(name, &c, store, log, wreg); err != nil {
				t.Fatalf("building stage %s: %v", name, err)
			}
		}
	}
	mfs, err := reg.Gather() // before the lag collector, which would ask a broker
	if err != nil {
		t.Fatal(err)
	}
	types = map[string]string{}
	for _, mf := range mfs {
		types[mf.GetName()] = mf.GetType().String()
	}
	rec.MustRegister(newLagCollector(&kafka.Client{Addr: kafka.TCP(c.Brokers...)}, c.lagGroups(stageNames)))

	names = map[string]bool{}
	descs := make(chan *prometheus.Desc)
	go func() { // joined by the range below
		for _, col := range cs {
			col.Describe(descs)
		}
		close(descs)
	}()
	for d := range descs {
		// Desc has no accessor for its name; its String is
		// Desc{fqName: "name", help: …}.
		_, rest, ok := strings.Cut(d.String(), `fqName: "`)
		name, _, ok2 := strings.Cut(rest, `"`)
		if !ok || !ok2 || name == "" {
			t.Fatalf("cannot read the metric name of %s", d)
		}
		names[name] = true
	}
	for name := range types {
		if !names[name] {
			t.Fatalf("gathered %s, which no collector describes: binaryMetrics is out of step with the registry", name)
		}
	}
	return names, types
}

// Series suffixes Prometheus exposes for histograms and summaries.
var promSeriesSuffixes = []string{"_bucket", "_sum", "_count"}

// resolveMetric maps a name used in PromQL to the family the binary
// registers and the series suffix; ok is false when there is none.
func resolveMetric(name string, families map[string]bool) (family, suffix string, ok bool) {
	if families[name] {
		return name, "", true
	}
	for _, s := range promSeriesSuffixes {
		if base, cut := strings.CutSuffix(name, s); cut && families[base] {
			return base, s, true
		}
	}
	return "", "", false
}

// checkMetricUse reports a reference the binary does not export, or one
// whose PromQL does not suit the metric's type.
func checkMetricUse(r promRef, families map[string]bool, types map[string]string) error {
	family, suffix, ok := resolveMetric(r.name, families)
	if !ok {
		return fmt.Errorf("metric %s is not registered by the recsys binary", r.name)
	}
	typ := types[family] // "" for a vector with no child yet
	counterLike := suffix != "" || strings.HasSuffix(family, "_total") || typ == "COUNTER"
	switch {
	case typ == "HISTOGRAM" && suffix == "":
		return fmt.Errorf("histogram %s has no series of that name: use %[1]s_bucket, _sum or _count", r.name)
	case suffix == "_bucket" && typ != "HISTOGRAM":
		return fmt.Errorf("%s: %s is a %s, not a histogram", r.name, family, typ)
	case suffix == "_bucket" && !slices.Contains(r.calls, "histogram_quantile"):
		return fmt.Errorf("%s: buckets belong in histogram_quantile(…, sum by (le) (rate(…)))", r.name)
	case counterLike && !slices.Contains([]string{"rate", "irate", "increase"}, r.innermost()):
		return fmt.Errorf("%s is a counter: wrap it in rate() or increase(), not %q", r.name, r.innermost())
	case !counterLike && slices.Contains([]string{"rate", "irate", "increase"}, r.innermost()):
		return fmt.Errorf("%s is a gauge: %s() of it means nothing", r.name, r.innermost())
	}
	return nil
}

func TestDashboardQueriesOnlyMetricsTheBinaryRegisters(t *testing.T) {
	d := readDashboard(t)
	families, types := binaryMetrics(t)
	used := 0
	for where, expr := range d.queries(t) {
		refs, err := promMetrics(expr)
		if err != nil {
			t.Errorf("%s: %v in %s", where, err, expr)
			continue
		}
		for _, r := range refs {
			used++
			if err := checkMetricUse(r, families, types); err != nil {
				t.Errorf("%s: %v\n\t%s", where, err, expr)
			}
		}
	}
	if used == 0 {
		t.Fatal("the dashboard queries no metric")
	}
}

func TestDashboardMetricChecksCatchMistakes(t *testing.T) {
	families := map[string]bool{"h_seconds": true, "c_total": true, "g": true}
	types := map[string]string{"h_seconds": "HISTOGRAM", "g": "GAUGE"}
	for _, expr := range []string{
		`rate(recsys_no_such_metric_total[5m])`,
		`h_seconds`,
		`rate(h_seconds_bucket[5m])`,
		`sum(c_total)`,
		`rate(g[5m])`,
	} {
		refs, err := promMetrics(expr)
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for _, r := range refs {
			if err := checkMetricUse(r, families, types); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == 0 {
			t.Errorf("%s passed the checks; want an error", expr)
		}
	}
}

func TestDashboardPanelsHaveTitlesDatasourcesUnitsAndUniqueIDs(t *testing.T) {
	d := readDashboard(t)
	var ds bool
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		if "${"+v.Name+"}" == dashboardDatasource && v.Type == "datasource" && string(v.Query) == `"prometheus"` {
			ds = true
		}
		if v.Type == "query" && (v.Datasource == nil || v.Datasource.UID != dashboardDatasource) {
			t.Errorf("variable %s does not query %s", v.Name, dashboardDatasource)
		}
	}
	if !ds {
		t.Errorf("no datasource variable of type prometheus named %s", dashboardDatasource)
	}
	ids := map[int]string{}
	for _, p := range d.allPanels() {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if p.ID <= 0 {
			t.Errorf("%s: no id", where)
		} else if other, dup := ids[p.ID]; dup {
			t.Errorf("%s: id also used by %q", where, other)
		}
		ids[p.ID] = p.Title
		if strings.TrimSpace(p.Title) == "" {
			t.Errorf("%s: no title", where)
		}
		if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != dashboardDatasource {
			t.Errorf("%s: datasource %+v; want prometheus %s", where, p.Datasource, dashboardDatasource)
		}
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("%s: gridPos %+v outside the 24 columns", where, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.FieldConfig.Defaults.Unit == "" {
			t.Errorf("%s: no unit", where)
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s: no query", where)
		}
		refIDs := map[string]bool{}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" || tg.RefID == "" || refIDs[tg.RefID] {
				t.Errorf("%s: target %q has no expression or a missing or repeated refId", where, tg.RefID)
			}
			refIDs[tg.RefID] = true
			if tg.Datasource != nil && tg.Datasource.UID != dashboardDatasource {
				t.Errorf("%s target %s: datasource %+v; want %s", where, tg.RefID, tg.Datasource, dashboardDatasource)
			}
			for _, v := range grafanaVariables(tg.Expr) {
				if !vars[v] && !strings.HasPrefix(v, "__") {
					t.Errorf("%s target %s: variable $%s is not defined", where, tg.RefID, v)
				}
			}
		}
	}
}

// grafanaVariables returns the names of the $var and ${var} in expr.
func grafanaVariables(expr string) []string {
	var out []string
	for rest := expr; ; {
		_, after, ok := strings.Cut(rest, "$")
		if !ok {
			return out
		}
		name := strings.TrimPrefix(after, "{")
		end := strings.IndexFunc(name, func(r rune) bool { return r > 127 || !isPromWordByte(byte(r)) })
		if end < 0 {
			end = len(name)
		}
		if end > 0 && (name[0] < '0' || name[0] > '9') { // not a regex group like $1
			out = append(out, name[:end])
		}
		rest = after
	}
}

// TestDashboardPrometheusScrapesEveryStageOfCompose checks the example scrape
// config against docker-compose.yml: one job per stage, at the service's
// container port of RECSYS_METRICS_ADDR.
func TestDashboardPrometheusScrapesEveryStageOfCompose(t *testing.T) {
	b, err := os.ReadFile("../../deploy/prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatalf("prometheus.yml does not parse: %v", err)
	}
	targets := map[string]bool{}
	for _, sc := range prom.ScrapeConfigs {
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			t.Errorf("job %s scrapes %s; the binary serves /metrics", sc.JobName, sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				targets[tg] = true
			}
		}
	}
	c := readCompose(t)
	for _, name := range stageNames {
		s := c.Services[name]
		_, port, ok := strings.Cut(s.Environment["RECSYS_METRICS_ADDR"], ":")
		if !ok {
			port = "9100" // the --metrics-addr default
		}
		if !targets[name+":"+port] {
			t.Errorf("prometheus.yml does not scrape %s:%s (compose service %s)", name, port, name)
		}
	}
}
