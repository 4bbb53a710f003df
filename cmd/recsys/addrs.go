package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// checkAddrs requires host:port addresses of what (a flag name): a scheme or
// a missing port is an error at start, not a dial that retries forever.
func checkAddrs(what string, addrs []string) error {
	var errs []error
	for _, a := range addrs {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("--%s: %q is not host:port", what, redactURL(a)))
		}
	}
	return errors.Join(errs...)
}

// redisURL is what a redis:// or rediss:// address says besides host:port.
type redisURL struct {
	addr, user, password string
	db                   int
	tls                  bool
}

// parseRedisURL reads redis://[user[:password]@]host[:port][/db], or
// rediss:// for TLS (the port defaults to 6379). Errors never repeat the
// password.
func parseRedisURL(raw string) (redisURL, error) {
	bad := func(why string) (redisURL, error) {
		return redisURL{}, fmt.Errorf("--redis: %s: %s", redactURL(raw), why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	r := redisURL{tls: u.Scheme == "rediss", addr: u.Host}
	switch {
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return bad("the scheme must be redis or rediss")
	case u.RawQuery != "" || u.Fragment != "":
		return bad("options in the URL are not read; use the --redis-… flags")
	case u.Hostname() == "":
		return bad("no host")
	case u.Port() == "":
		r.addr = net.JoinHostPort(u.Hostname(), "6379")
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if r.db, err = strconv.Atoi(db); err != nil || r.db < 0 {
			return bad("the path must be a database number")
		}
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, _ = u.User.Password()
	}
	return r, nil
}

// redactURL hides the password of a URL-like address.
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return raw
	}
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return raw
}

// resolveRedis turns a --redis URL into host:port plus the user, password,
// database and TLS it gives (a user or password given twice is an error),
// then checks every address.
func (c *config) resolveRedis() error {
	if len(c.Redis) != 1 || !strings.Contains(c.Redis[0], "://") {
		return checkAddrs("redis", c.Redis)
	}
	r, err := parseRedisURL(c.Redis[0])
	if err != nil {
		return err
	}
	if (r.user != "" && c.sec.RedisUser != "") || (r.password != "" && c.RedisPassword != "") {
		return errors.New("--redis: the URL gives a user or password that a flag gives too")
	}
	c.Redis, c.redisDB = []string{r.addr}, r.db
	if r.user != "" {
		c.sec.RedisUser = r.user
	}
	if r.password != "" {
		c.RedisPassword = r.password
	}
	c.sec.RedisTLS = c.sec.RedisTLS || r.tls
	return nil
}
