package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/schemas"
)

const testSecret = "s3cret-SCRAM-password"

// selfSigned writes a CA-less self-signed server certificate for 127.0.0.1
// and returns the server TLS config and the PEM path clients trust.
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "recsys-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pair, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, path
}

// lockedBuffer collects logs from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestPipelineOverSCRAMAndTLSNeverLeaksTheSecret(t *testing.T) {
	serverTLS, caPath := selfSigned(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(serverTLS), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "recsys", testSecret))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c config
	f := newFlagSet("run", func(string) string { return "" }, io.Discard)
	c.define(f)
	err = f.parse([]string{"--brokers", cluster.ListenAddrs()[0], "--redis", redisserver.ForTest(t).Addr(), "--metrics-addr", "",
		"--kafka-sasl", "scram-sha-256", "--kafka-user", "recsys", "--kafka-password-file", pwFile, "--kafka-tls", "--kafka-ca", caPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runPipeline(ctx, &c, stageNames, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), prometheus.NewRegistry())
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pipeline: %v", err)
		}
	}()
	w := &kafka.Writer{Addr: kafka.TCP(c.Brokers...), Topic: c.Topics.Events, Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: c.kafka.Transport}
	defer w.Close()
	ev := schemas.Event{EventID: "e1", UserID: "u1", Type: schemas.View, Product: "7", Time: time.Now().UTC()}
	b, _ := schemas.EncodeEventJSON(ev)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	for wctx.Err() == nil { // until the stages have created the topics
		if err = w.WriteMessages(wctx, kafka.Message{Key: []byte("u1"), Value: b}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("producing over SCRAM+TLS: %v", err)
	}
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Brokers, Topic: c.Topics.Recommendations, GroupID: "sec-reader",
		StartOffset: kafka.FirstOffset, Dialer: c.kafka.Dialer, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	m, err := rd.FetchMessage(wctx)
	if err != nil {
		t.Fatalf("no recommendation over SCRAM+TLS: %v", err)
	}
	if strings.Contains(string(m.Value), testSecret) || strings.Contains(logs.String(), testSecret) {
		t.Fatal("the Kafka password reached an output record or a log line")
	}
}

func TestSecurityFlagsAreChecked(t *testing.T) {
	cases := []struct {
		name string
		sec  security
		want string
	}{
		{"SASL without a user is refused", security{KafkaSASL: "plain", KafkaPassword: "x"}, "--kafka-user"},
		{"an unknown mechanism is refused", security{KafkaSASL: "kerberos", KafkaUser: "u", KafkaPassword: "x"}, "want plain"},
		{"a CA without TLS is refused", security{KafkaCA: "ca.pem"}, "TLS is off"},
		{"a missing password file names the path, not a secret", security{KafkaSASL: "plain", KafkaUser: "u", KafkaPasswordFile: "/nonexistent/pw"}, "secret file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.sec.kafka()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestProduceSendsOverSCRAMAndTLSAndFailsClearlyWithoutThem(t *testing.T) {
	serverTLS, caPath := selfSigned(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(serverTLS), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "recsys", testSecret), kfake.SeedTopics(2, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	dir := t.TempDir()
	pwFile, lines := filepath.Join(dir, "pw"), filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(pwFile, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lines, []byte(`{"event_id":"e1"}`+"\n"+`{"event_id":"e2"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--brokers", cluster.ListenAddrs()[0], "--topic-events", "events", "--file", lines}
	secure := []string{"--kafka-sasl", "scram-sha-256", "--kafka-user", "recsys", "--kafka-password-file", pwFile,
		"--kafka-tls", "--kafka-ca", caPath}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := runProduce(ctx, append(base, secure...), func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("produce over SCRAM+TLS: %v", err)
	}
	if !strings.Contains(out.String(), "sent 2 records") || strings.Contains(out.String(), testSecret) {
		t.Errorf("output %q; want 2 records sent and no secret", out.String())
	}
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	defer cancelShort()
	err = runProduce(short, base, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil {
		t.Error("produce without TLS and SASL to a broker that requires them succeeded")
	}
	err = runProduce(ctx, append(base, "--kafka-sasl", "scram-sha-256"), func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--kafka-user") {
		t.Errorf("SASL without a user: %v; want an error naming --kafka-user", err)
	}
}
