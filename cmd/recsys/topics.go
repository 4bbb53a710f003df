package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// topicSpecs are the topics recsys creates, with the configs DESIGN.md asks
// for: the interaction log is the training log, so its retention must cover
// the training window; catalog and recommendations are compacted.
func topicSpecs(t topics, partitions int, trainWindow time.Duration) []kafka.TopicConfig {
	retention := func(d time.Duration) kafka.ConfigEntry {
		return kafka.ConfigEntry{ConfigName: "retention.ms", ConfigValue: strconv.FormatInt(d.Milliseconds(), 10)}
	}
	compact := kafka.ConfigEntry{ConfigName: "cleanup.policy", ConfigValue: "compact"}
	spec := func(name string, parts int, entries ...kafka.ConfigEntry) kafka.TopicConfig {
		return kafka.TopicConfig{Topic: name, NumPartitions: parts, ReplicationFactor: 1, ConfigEntries: entries}
	}
	return []kafka.TopicConfig{
		spec(t.Events, partitions, retention(7*24*time.Hour)),
		spec(t.DLQ, partitions, retention(14*24*time.Hour)),
		spec(t.Interactions, partitions, retention(trainWindow+7*24*time.Hour)),
		spec(t.Recommendations, partitions, compact),
		spec(t.Models, 1, retention(365*24*time.Hour)),
		spec(t.Catalog, partitions, compact),
	}
}

// createTopics creates the topics of c's stages, waiting for the brokers.
func createTopics(ctx context.Context, c *config, log *slog.Logger) error {
	specs := append(topicSpecs(c.Topics, c.Partitions, c.Trainer.Window), shadowTopics(c)...)
	return waitFor(ctx, log, "kafka", func(ctx context.Context) error { return ensureTopics(ctx, c.kafka.Transport, c.Brokers, specs) })
}

// ensureTopics creates missing topics; existing ones are left as they are.
// tr carries TLS and SASL settings; nil connects in plaintext.
func ensureTopics(ctx context.Context, tr *kafka.Transport, brokers []string, specs []kafka.TopicConfig) error {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	if tr != nil {
		client.Transport = tr
	}
	res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: specs})
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	var errs []error
	for name, err := range res.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("creating topic %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
