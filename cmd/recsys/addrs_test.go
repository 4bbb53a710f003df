package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features/redisserver"
)

// finishedConfig parses args as `recsys run` would and finishes the config.
func finishedConfig(args ...string) (*config, error) {
	var c config
	f := newFlagSet("run", func(string) string { return "" }, io.Discard)
	c.define(f)
	if err := f.parse(args); err != nil {
		return nil, err
	}
	return &c, c.finish()
}

func TestARedisURLGivesTheAddressUserPasswordDatabaseAndTLS(t *testing.T) {
	cases := []struct {
		url  string
		want redisURL
	}{
		{"redis://cache:6380", redisURL{addr: "cache:6380"}},
		{"redis://cache", redisURL{addr: "cache:6379"}},
		{"redis://:pw@cache:6380/3", redisURL{addr: "cache:6380", password: "pw", db: 3}},
		{"rediss://bob:pw@[::1]:6390/", redisURL{addr: "[::1]:6390", user: "bob", password: "pw", tls: true}},
	}
	for _, tc := range cases {
		got, err := parseRedisURL(tc.url)
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
}

func TestBadAddressesFailAtStartAndNeverShowThePassword(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--redis", "redis://bob:s3cret@cache:6379/x"}, "database number"},
		{[]string{"--redis", "http://bob:s3cret@cache:6379"}, "scheme"},
		{[]string{"--redis", "redis://bob:s3cret@cache:6379?dial_timeout=3"}, "options in the URL"},
		{[]string{"--redis", "cache"}, `"cache" is not host:port`},
		{[]string{"--brokers", "kafka://b1:9092"}, `--brokers: "kafka://b1:9092" is not host:port`},
		{[]string{"--redis", "redis://bob:s3cret@cache:6379", "--redis-password", "other"}, "a flag gives too"},
	}
	for _, tc := range cases {
		_, err := finishedConfig(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v; want it to mention %q", tc.args, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: the error shows the password: %v", tc.args, err)
		}
	}
	c, err := finishedConfig("--redis", "rediss://cache:6390")
	if err != nil || !c.sec.RedisTLS || c.redisTLS == nil || c.Redis[0] != "cache:6390" {
		t.Fatalf("rediss:// URL: %v; want TLS to cache:6390", err)
	}
}

// A stage's Redis client reaches an ACL user's database from the URL alone.
func TestTheRedisClientConnectsWithTheURLsUserPasswordAndDatabase(t *testing.T) {
	srv := redisserver.ForTest(t)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()
	if err := admin.Do(ctx, "ACL", "SETUSER", "bob", "on", ">s3cret", "~*", "&*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	c, err := finishedConfig("--redis", "redis://bob:s3cret@"+srv.Addr()+"/2")
	if err != nil {
		t.Fatal(err)
	}
	rdb := c.redisClient()
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if who := rdb.Do(ctx, "ACL", "WHOAMI").Val(); who != "bob" {
		t.Fatalf("connected as %v, want bob", who)
	}
	db2 := redis.NewClient(&redis.Options{Addr: srv.Addr(), DB: 2})
	defer db2.Close()
	if v := db2.Get(ctx, "k").Val(); v != "v" {
		t.Fatalf("database 2 holds k=%q; want the value written through the URL", v)
	}
}
