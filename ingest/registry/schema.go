package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// kind is an Avro type.
type kind uint8

const (
	kNull kind = iota
	kBoolean
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kRecord
	kEnum
	kArray
	kMap
	kUnion
	kFixed
)

func primitive(name string) (kind, bool) {
	switch name {
	case "null":
		return kNull, true
	case "boolean":
		return kBoolean, true
	case "int":
		return kInt, true
	case "long":
		return kLong, true
	case "float":
		return kFloat, true
	case "double":
		return kDouble, true
	case "bytes":
		return kBytes, true
	case "string":
		return kString, true
	}
	return 0, false
}

// node is a parsed Avro schema. Named types referenced twice (or
// recursively) are the same node.
type node struct {
	kind     kind
	logical  string   // logicalType, e.g. timestamp-micros
	fields   []field  // record
	symbols  []string // enum
	items    *node    // array items, map values
	branches []*node  // union
	size     int      // fixed
}

type field struct {
	name string
	typ  *node
}

// maxSchemaDepth bounds nesting, so a hostile schema cannot exhaust the stack.
const maxSchemaDepth = 64

// parseSchema parses the JSON text of an Avro schema.
func parseSchema(text string) (*node, error) {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, errors.New("schema is not JSON")
	}
	p := &parser{names: map[string]*node{}}
	return p.parse(v, "", 0)
}

type parser struct {
	names map[string]*node
}

func (p *parser) parse(v any, ns string, depth int) (*node, error) {
	if depth > maxSchemaDepth {
		return nil, errors.New("schema nests too deep")
	}
	switch t := v.(type) {
	case string:
		return p.named(t, ns)
	case []any:
		n := &node{kind: kUnion}
		for _, b := range t {
			bn, err := p.parse(b, ns, depth+1)
			if err != nil {
				return nil, err
			}
			if bn.kind == kUnion {
				return nil, errors.New("a union may not hold a union")
			}
			n.branches = append(n.branches, bn)
		}
		if len(n.branches) == 0 {
			return nil, errors.New("empty union")
		}
		return n, nil
	case map[string]any:
		return p.complex(t, ns, depth)
	}
	return nil, fmt.Errorf("unexpected JSON %T in schema", v)
}

// named resolves a primitive name or a reference to a named type.
func (p *parser) named(name, ns string) (*node, error) {
	if k, ok := primitive(name); ok {
		return &node{kind: k}, nil
	}
	if n, ok := p.names[fullName(name, ns)]; ok {
		return n, nil
	}
	if n, ok := p.names[name]; ok {
		return n, nil
	}
	return nil, fmt.Errorf("unknown type %q", clip(name))
}

func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

func (p *parser) complex(m map[string]any, ns string, depth int) (*node, error) {
	logical, _ := m["logicalType"].(string)
	t, ok := m["type"].(string)
	if !ok {
		if m["type"] == nil {
			return nil, errors.New("a schema object has no type")
		}
		return p.parse(m["type"], ns, depth+1)
	}
	if k, ok := primitive(t); ok {
		return &node{kind: k, logical: logical}, nil
	}
	switch t {
	case "record", "error":
		return p.record(m, ns, depth)
	case "enum", "fixed":
		return p.enumOrFixed(t, m, ns)
	case "array", "map":
		key := map[string]string{"array": "items", "map": "values"}[t]
		items, err := p.parse(m[key], ns, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{kind: map[string]kind{"array": kArray, "map": kMap}[t], items: items}, nil
	}
	return p.named(t, ns)
}

// define registers the named type of m and returns its full name's namespace.
func (p *parser) define(m map[string]any, ns string, n *node) (string, error) {
	name, _ := m["name"].(string)
	if name == "" {
		return "", errors.New("a named type has no name")
	}
	if space, ok := m["namespace"].(string); ok && !strings.Contains(name, ".") {
		ns = space
	}
	full := fullName(name, ns)
	if _, dup := p.names[full]; dup {
		return "", fmt.Errorf("type %q defined twice", clip(full))
	}
	p.names[full] = n
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i], nil
	}
	return "", nil
}

func (p *parser) record(m map[string]any, ns string, depth int) (*node, error) {
	n := &node{kind: kRecord}
	inner, err := p.define(m, ns, n)
	if err != nil {
		return nil, err
	}
	fields, ok := m["fields"].([]any)
	if !ok {
		return nil, errors.New("a record has no fields array")
	}
	for _, f := range fields {
		fm, ok := f.(map[string]any)
		name, _ := fm["name"].(string)
		if !ok || name == "" {
			return nil, errors.New("a record field has no name")
		}
		typ, err := p.parse(fm["type"], inner, depth+1)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", clip(name), err)
		}
		n.fields = append(n.fields, field{name: name, typ: typ})
	}
	return n, nil
}

func (p *parser) enumOrFixed(t string, m map[string]any, ns string) (*node, error) {
	n := &node{kind: kEnum}
	if t == "fixed" {
		size, ok := m["size"].(float64)
		if !ok || size < 0 || size > 1<<20 || size != float64(int(size)) {
			return nil, errors.New("a fixed type has no valid size")
		}
		n.kind, n.size = kFixed, int(size)
		n.logical, _ = m["logicalType"].(string)
	} else {
		syms, _ := m["symbols"].([]any)
		for _, s := range syms {
			str, ok := s.(string)
			if !ok {
				return nil, errors.New("an enum symbol is not a string")
			}
			n.symbols = append(n.symbols, str)
		}
	}
	_, err := p.define(m, ns, n)
	return n, err
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
