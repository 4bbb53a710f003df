package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runHealthcheck GETs a URL and fails unless it answers 200: the container
// health check of an image that has no shell or curl.
func runHealthcheck(ctx context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	url := "http://localhost:9100/readyz"
	if len(args) > 0 {
		url = args[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s: %s", res.Status, body)
	}
	fmt.Fprintf(stdout, "%s", body)
	return nil
}
