// Package redisserver starts a real redis-server on a free loopback port, for
// tests and for `recsys demo`, with an embedded miniredis fallback for the
// demo on machines without redis-server.
//
// A Server owns its process; Close stops it and waits for it. Stop and Start
// restart the same server on the same port and data directory (fault tests).
package redisserver
