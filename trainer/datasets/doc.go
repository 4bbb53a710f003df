// Package datasets reads interaction files into trainer.Datasets for offline
// evaluation: the UCI Online Retail CSV, and (see the other files) the
// formats `recsys eval` accepts. Readers take an io.Reader; gzip is detected
// by Open. Nothing here is used on the streaming path.
package datasets
