package registry

import (
	"encoding/binary"
	"errors"
	"math"
)

// errTruncated and friends describe a payload that does not match its
// writer schema; callers wrap them in schemas.ErrInvalid.
var (
	errTruncated = errors.New("truncated")
	errOverflow  = errors.New("varint overflows 64 bits")
	errTooMany   = errors.New("more array or map items than the payload can hold")
	errDepth     = errors.New("values nest too deep")
)

// reader decodes Avro binary. budget bounds the array and map items one
// payload may declare, so that items of zero size (null, empty records)
// cannot make a few bytes loop for ever.
type reader struct {
	b      []byte
	budget int
}

func newReader(b []byte) *reader { return &reader{b: b, budget: 4*len(b) + 64} }

func (r *reader) long() (int64, error) {
	var u uint64
	for shift := uint(0); ; shift += 7 {
		if len(r.b) == 0 {
			return 0, errTruncated
		}
		if shift >= 64 {
			return 0, errOverflow
		}
		c := r.b[0]
		r.b = r.b[1:]
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	return int64(u>>1) ^ -int64(u&1), nil // zig-zag
}

func (r *reader) int() (int64, error) {
	v, err := r.long()
	if err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
		return 0, errors.New("int out of range")
	}
	return v, err
}

func (r *reader) take(n int64) ([]byte, error) {
	if n < 0 || n > int64(len(r.b)) {
		return nil, errTruncated
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b, nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	return r.take(n)
}

// index reads a union branch or enum symbol index below n.
func (r *reader) index(n int) (int, error) {
	i, err := r.long()
	if err != nil {
		return 0, err
	}
	if i < 0 || i >= int64(n) {
		return 0, errors.New("union or enum index out of range")
	}
	return int(i), nil
}

// skip reads past one value of n.
func (r *reader) skip(n *node, depth int) error {
	if depth > maxSchemaDepth {
		return errDepth
	}
	var err error
	switch n.kind {
	case kNull:
	case kBoolean:
		_, err = r.take(1)
	case kInt, kLong, kEnum:
		_, err = r.long()
	case kFloat:
		_, err = r.take(4)
	case kDouble:
		_, err = r.take(8)
	case kBytes, kString:
		_, err = r.bytes()
	case kFixed:
		_, err = r.take(int64(n.size))
	case kUnion:
		var i int
		if i, err = r.index(len(n.branches)); err == nil {
			err = r.skip(n.branches[i], depth+1)
		}
	case kRecord:
		for _, f := range n.fields {
			if err = r.skip(f.typ, depth+1); err != nil {
				break
			}
		}
	case kArray, kMap:
		err = r.skipBlocks(n, depth)
	}
	return err
}

// skipBlocks reads past the blocks of an array or map.
func (r *reader) skipBlocks(n *node, depth int) error {
	for {
		count, err := r.long()
		if err != nil || count == 0 {
			return err
		}
		if count < 0 {
			// A negative count is followed by the block's size in bytes.
			count = -count
			size, err := r.long()
			if err != nil {
				return err
			}
			if r.budget -= int(min(count, int64(r.budget)+1)); r.budget < 0 {
				return errTooMany
			}
			if _, err := r.take(size); err != nil {
				return err
			}
			continue
		}
		if r.budget -= int(min(count, int64(r.budget)+1)); r.budget < 0 {
			return errTooMany
		}
		for ; count > 0; count-- {
			if n.kind == kMap {
				if _, err := r.bytes(); err != nil {
					return err
				}
			}
			if err := r.skip(n.items, depth+1); err != nil {
				return err
			}
		}
	}
}

// scalar is a primitive value read for a field recsys uses.
type scalar struct {
	kind    kind // kNull, kBoolean, kLong, kDouble or kString
	long    int64
	double  float64
	str     string
	logical string
}

// scalar reads one value of n, which compile checked is a primitive, an
// enum, or a union of those.
func (r *reader) scalar(n *node) (scalar, error) {
	switch n.kind {
	case kNull:
		return scalar{kind: kNull}, nil
	case kInt, kLong:
		v, err := r.long()
		if n.kind == kInt && err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
			return scalar{}, errors.New("int out of range")
		}
		return scalar{kind: kLong, long: v, logical: n.logical}, err
	case kFloat:
		b, err := r.take(4)
		if err != nil {
			return scalar{}, err
		}
		return scalar{kind: kDouble, double: float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))}, nil
	case kDouble:
		b, err := r.take(8)
		if err != nil {
			return scalar{}, err
		}
		return scalar{kind: kDouble, double: math.Float64frombits(binary.LittleEndian.Uint64(b))}, nil
	case kBytes, kString:
		b, err := r.bytes()
		return scalar{kind: kString, str: string(b)}, err
	case kEnum:
		i, err := r.index(len(n.symbols))
		if err != nil {
			return scalar{}, err
		}
		return scalar{kind: kString, str: n.symbols[i]}, nil
	case kUnion:
		i, err := r.index(len(n.branches))
		if err != nil {
			return scalar{}, err
		}
		return r.scalar(n.branches[i])
	}
	return scalar{}, errors.New("not a primitive value")
}
