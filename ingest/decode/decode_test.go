package decode

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNumbersAreReadLenientlyAndNeverQuoted(t *testing.T) {
	cases := []struct {
		name  string
		raw   string
		want  int
		class Class
	}{
		{"a JSON number is read", `42`, 42, ""},
		{"a number sent as text is read", `" 7 "`, 7, ""},
		{"null and absence are zero", `null`, 0, ""},
		{"text that is not a number is invalid", `"12abc-secret"`, 0, InvalidValue},
		{"a fraction is not an integer", `1.5`, 0, InvalidValue},
		{"an absurd magnitude is not an integer", `1e300`, 0, InvalidValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Int("quantity", json.RawMessage(tc.raw))
			switch {
			case tc.class == "" && (err != nil || got != tc.want):
				t.Fatalf("Int(%s) = %d, %v; want %d", tc.raw, got, err, tc.want)
			case tc.class != "" && (err == nil || err.Class != tc.class):
				t.Fatalf("Int(%s) err = %v; want class %s", tc.raw, err, tc.class)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Fatalf("the error quotes the value: %v", err)
			}
		})
	}
	if !IsNull(json.RawMessage("  ")) || IsNull(json.RawMessage("0")) {
		t.Fatal("IsNull: blank is null, 0 is not")
	}
}
