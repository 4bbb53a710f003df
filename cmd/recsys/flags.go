package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// flagSet wraps flag.FlagSet so every flag has an environment fallback:
// --redis-addr reads RECSYS_REDIS_ADDR when the flag is not given.
type flagSet struct {
	*flag.FlagSet
	getenv func(string) string
	errs   []error
}

func newFlagSet(name string, getenv func(string) string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &flagSet{FlagSet: fs, getenv: getenv}
}

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return "RECSYS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flagSet) env(name string) (string, bool) {
	v := f.getenv(envName(name))
	return v, v != ""
}

func (f *flagSet) usage(name, usage string) string {
	return fmt.Sprintf("%s (env %s)", usage, envName(name))
}

func (f *flagSet) str(p *string, name, def, usage string) {
	if v, ok := f.env(name); ok {
		def = v
	}
	f.StringVar(p, name, def, f.usage(name, usage))
}

func (f *flagSet) list(p *[]string, name, def, usage string) {
	if v, ok := f.env(name); ok {
		def = v
	}
	*p = splitList(def)
	f.Func(name, f.usage(name, usage)+" (default "+strconv.Quote(def)+")", func(s string) error {
		*p = splitList(s)
		return nil
	})
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (f *flagSet) int(p *int, name string, def int, usage string) {
	if v, ok := f.env(name); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not an integer", envName(name), v))
		}
		def = n
	}
	f.IntVar(p, name, def, f.usage(name, usage))
}

func (f *flagSet) float(p *float64, name string, def float64, usage string) {
	if v, ok := f.env(name); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not a number", envName(name), v))
		}
		def = n
	}
	f.Float64Var(p, name, def, f.usage(name, usage))
}

func (f *flagSet) dur(p *time.Duration, name string, def time.Duration, usage string) {
	if v, ok := f.env(name); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not a duration", envName(name), v))
		}
		def = d
	}
	f.DurationVar(p, name, def, f.usage(name, usage))
}

func (f *flagSet) boolean(p *bool, name string, def bool, usage string) {
	if v, ok := f.env(name); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: not a boolean", envName(name), v))
		}
		def = b
	}
	f.BoolVar(p, name, def, f.usage(name, usage))
}

// parse parses args and reports environment errors found while defining flags.
func (f *flagSet) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return fmt.Errorf("%s: %w", f.Name(), joinErrs(f.errs))
	}
	return nil
}

// weights defines a name=weight,… flag.
func (f *flagSet) weights(p *map[string]float64, name, def, usage string) {
	if v, ok := f.env(name); ok {
		def = v
	}
	parse := func(s string) error {
		m := map[string]float64{}
		for _, part := range splitList(s) {
			k, v, ok := strings.Cut(part, "=")
			w, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil || k == "" {
				return fmt.Errorf("%q: want name=weight", part)
			}
			m[strings.TrimSpace(k)] = w
		}
		*p = m
		return nil
	}
	if err := parse(def); err != nil {
		f.errs = append(f.errs, fmt.Errorf("%s: %w", envName(name), err))
	}
	f.Func(name, f.usage(name, usage)+" (default "+strconv.Quote(def)+")", parse)
}
