package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// security is how recsys authenticates to Kafka and Redis. Secrets come from
// flags, RECSYS_* environment variables or files (…-file flags, for mounted
// secrets); they are never logged or written to a topic.
type security struct {
	KafkaSASL, KafkaUser, KafkaPassword, KafkaPasswordFile string
	KafkaTLS                                               bool
	KafkaCA, KafkaCert, KafkaKey                           string
	RedisUser, RedisPasswordFile                           string
	RedisTLS                                               bool
	RedisCA, RedisCert, RedisKey                           string
}

func (s *security) define(f *flagSet) {
	s.defineKafka(f)
	f.str(&s.RedisUser, "redis-user", "", "Redis ACL user (with --redis-password)")
	f.str(&s.RedisPasswordFile, "redis-password-file", "", "read the Redis password from this file")
	f.boolean(&s.RedisTLS, "redis-tls", false, "connect to Redis over TLS")
	f.str(&s.RedisCA, "redis-ca", "", "PEM CA bundle for Redis's certificate (default: system roots)")
	f.str(&s.RedisCert, "redis-cert", "", "PEM client certificate for Redis")
	f.str(&s.RedisKey, "redis-key", "", "PEM client key for Redis")
}

// defineKafka defines the Kafka flags alone, for commands that use no Redis.
func (s *security) defineKafka(f *flagSet) {
	f.str(&s.KafkaSASL, "kafka-sasl", "", "Kafka SASL mechanism: plain, scram-sha-256 or scram-sha-512; empty: none")
	f.str(&s.KafkaUser, "kafka-user", "", "Kafka SASL user")
	f.str(&s.KafkaPassword, "kafka-password", "", "Kafka SASL password (prefer --kafka-password-file)")
	f.str(&s.KafkaPasswordFile, "kafka-password-file", "", "read the Kafka SASL password from this file")
	f.boolean(&s.KafkaTLS, "kafka-tls", false, "connect to Kafka over TLS")
	f.str(&s.KafkaCA, "kafka-ca", "", "PEM CA bundle for Kafka's certificates (default: system roots)")
	f.str(&s.KafkaCert, "kafka-cert", "", "PEM client certificate for Kafka (mutual TLS)")
	f.str(&s.KafkaKey, "kafka-key", "", "PEM client key for Kafka (mutual TLS)")
}

// secret returns the value, or the trimmed content of file when given.
func secret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading secret file: %w", err) // the path, never the content
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func (s *security) saslMechanism() (sasl.Mechanism, error) {
	if s.KafkaSASL == "" {
		return nil, nil
	}
	password, err := secret(s.KafkaPassword, s.KafkaPasswordFile)
	if err != nil {
		return nil, err
	}
	if s.KafkaUser == "" || password == "" {
		return nil, errors.New("--kafka-sasl needs --kafka-user and a password")
	}
	switch strings.ToLower(s.KafkaSASL) {
	case "plain":
		return plain.Mechanism{Username: s.KafkaUser, Password: password}, nil
	case "scram-sha-256":
		return scram.Mechanism(scram.SHA256, s.KafkaUser, password)
	case "scram-sha-512":
		return scram.Mechanism(scram.SHA512, s.KafkaUser, password)
	}
	return nil, fmt.Errorf("--kafka-sasl %q: want plain, scram-sha-256 or scram-sha-512", s.KafkaSASL)
}

// tlsConfig builds a client TLS config from optional CA and key pair files.
func tlsConfig(on bool, ca, cert, key string) (*tls.Config, error) {
	if !on {
		if ca != "" || cert != "" {
			return nil, errors.New("a CA or client certificate is given but TLS is off")
		}
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("reading CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", ca)
		}
	}
	if cert != "" || key != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("loading client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// kafkaClients are the connection settings every stage's readers and writers use.
type kafkaClients struct {
	Dialer    *kafka.Dialer
	Transport *kafka.Transport
}

func (s *security) kafka() (kafkaClients, error) {
	mech, err := s.saslMechanism()
	if err != nil {
		return kafkaClients{}, err
	}
	tlsCfg, err := tlsConfig(s.KafkaTLS, s.KafkaCA, s.KafkaCert, s.KafkaKey)
	if err != nil {
		return kafkaClients{}, fmt.Errorf("kafka TLS: %w", err)
	}
	return kafkaClients{
		Dialer:    &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: tlsCfg, SASLMechanism: mech},
		Transport: &kafka.Transport{TLS: tlsCfg, SASL: mech, DialTimeout: 10 * time.Second},
	}, nil
}
