package main

import (
	"flag"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// compose is the part of docker-compose.yml this test checks.
type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Healthcheck struct {
			Test    []string `yaml:"test"`
			Disable bool     `yaml:"disable"`
		} `yaml:"healthcheck"`
		Profiles []string `yaml:"profiles"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	return c
}

// flagsOf returns the env names of the flags a command line of the binary defines.
func flagsOf(t *testing.T, command []string) map[string]bool {
	t.Helper()
	f := newFlagSet("x", func(string) string { return "" }, io.Discard)
	switch {
	case len(command) >= 2 && command[0] == "run":
		var c config
		c.define(f)
	case len(command) >= 1 && command[0] == "produce":
		var p produceConfig
		p.define(f)
	default:
		t.Fatalf("compose runs an unknown command %v", command)
	}
	env := map[string]bool{}
	f.VisitAll(func(fl *flag.Flag) { env[envName(fl.Name)] = true })
	if command[0] == "produce" {
		if err := f.Parse(command[1:]); err != nil {
			t.Fatalf("compose's produce flags %v: %v", command[1:], err)
		}
	}
	return env
}

func TestComposeRunsThePipelineOnKRaftKafkaAndRedis(t *testing.T) {
	c := readCompose(t)
	kafka := c.Services["kafka"]
	if !strings.HasPrefix(kafka.Image, "apache/kafka:") || !strings.Contains(kafka.Environment["KAFKA_PROCESS_ROLES"], "controller") {
		t.Errorf("kafka: want the official apache/kafka image in KRaft mode, got %q %v", kafka.Image, kafka.Environment["KAFKA_PROCESS_ROLES"])
	}
	if !strings.HasPrefix(c.Services["redis"].Image, "redis:") {
		t.Errorf("redis image = %q", c.Services["redis"].Image)
	}
	for _, name := range []string{"kafka", "redis", "ingest", "scorer", "trainer"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("service %s missing", name)
		}
		if len(s.Healthcheck.Test) == 0 || len(s.Ports) == 0 {
			t.Errorf("service %s: want a health check and a published port", name)
		}
	}
	for _, stage := range stageNames {
		s := c.Services[stage]
		if s.Build == nil || strings.Join(s.Command, " ") != "run "+stage {
			t.Errorf("service %s: want build . and command [run %s], got %v", stage, stage, s.Command)
		}
	}
}

func TestComposeEnvironmentNamesMatchTheBinaryFlags(t *testing.T) {
	for name, s := range readCompose(t).Services {
		if s.Build == nil {
			continue
		}
		known := flagsOf(t, s.Command)
		for env := range s.Environment {
			if !known[env] {
				t.Errorf("service %s sets %s, which no flag of %v reads", name, env, s.Command)
			}
		}
		if port := s.Environment["RECSYS_METRICS_ADDR"]; port != ":9100" && s.Command[0] == "run" {
			t.Errorf("service %s: metrics on %q; the health check expects :9100", name, port)
		}
	}
}

func TestComposeCreatesEveryTopicWithTheDesignedConfigs(t *testing.T) {
	script := strings.Join(readCompose(t).Services["topics"].Command, "\n")
	var c config
	c.define(newFlagSet("x", func(string) string { return "" }, io.Discard))
	for _, spec := range topicSpecs(c.Topics, c.Partitions, c.Trainer.Window) {
		line := lineWith(script, "--topic "+spec.Topic+" ")
		if line == "" {
			t.Errorf("topic %s is not created", spec.Topic)
			continue
		}
		if want := "--partitions " + strconv.Itoa(spec.NumPartitions); !strings.Contains(line, want) {
			t.Errorf("topic %s: want %s in %q", spec.Topic, want, line)
		}
		for _, e := range spec.ConfigEntries {
			if e.ConfigName == "retention.ms" {
				checkRetention(t, spec.Topic, line, e.ConfigValue)
			} else if !strings.Contains(line, e.ConfigName+"="+e.ConfigValue) {
				t.Errorf("topic %s: want %s=%s in %q", spec.Topic, e.ConfigName, e.ConfigValue, line)
			}
		}
	}
}

func lineWith(script, s string) string {
	for _, l := range strings.Split(script, "\n") {
		if strings.Contains(l+" ", s) {
			return l
		}
	}
	return ""
}

// checkRetention requires compose's retention to be at least the binary's.
func checkRetention(t *testing.T, topic, line, want string) {
	t.Helper()
	_, after, ok := strings.Cut(line, "retention.ms=")
	got, err := strconv.ParseInt(strings.Fields(after + " ")[0], 10, 64)
	min, _ := strconv.ParseInt(want, 10, 64)
	if !ok || err != nil || got < min {
		t.Errorf("topic %s: retention %q below %s ms (%s)", topic, after, want, time.Duration(min)*time.Millisecond)
	}
}
