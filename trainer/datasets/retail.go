package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// OnlineRetail reads the UCI Online Retail CSV (InvoiceNo, StockCode,
// Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country) with the
// rows EVALUATION.md keeps: CustomerID present, InvoiceNo not starting with C,
// Quantity > 0. user = CustomerID, item = StockCode, ts = InvoiceDate (UTC);
// every row is a purchase.
func OnlineRetail(r io.Reader) (*trainer.Dataset, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	col, err := columns(header, "InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "CustomerID")
	if err != nil {
		return nil, err
	}
	b := trainer.NewBuilder()
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if err := addRetailRow(b, rec, col); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	return b.Build(), nil
}

func addRetailRow(b *trainer.Builder, rec []string, col map[string]int) error {
	customer := strings.TrimSpace(rec[col["CustomerID"]])
	if customer == "" || strings.HasPrefix(rec[col["InvoiceNo"]], "C") {
		return nil
	}
	qty, err := strconv.ParseFloat(rec[col["Quantity"]], 64)
	if err != nil {
		return fmt.Errorf("quantity %q: %w", rec[col["Quantity"]], err)
	}
	if qty <= 0 {
		return nil
	}
	ts, err := parseRetailTime(rec[col["InvoiceDate"]])
	if err != nil {
		return err
	}
	customer = strings.TrimSuffix(customer, ".0")
	b.Add(customer, strings.TrimSpace(rec[col["StockCode"]]), schemas.Purchase, ts)
	return nil
}

func parseRetailTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "1/2/2006 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invoice date %q: unknown layout", s)
}

func columns(header []string, names ...string) (map[string]int, error) {
	col := map[string]int{}
	for k, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = k
	}
	for _, n := range names {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("missing column %q in header %v", n, header)
		}
	}
	return col, nil
}
