package eval

import (
	"fmt"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/recsys/recsys/trainer"
)

// WritePlot draws HR@K and NDCG@K against K, one line per model, side by
// side, into a PNG file at path.
func (r *Report) WritePlot(path string) error {
	hr, err := r.metricPlot("HR@K", func(m trainer.Metrics) float64 { return m.HR })
	if err != nil {
		return err
	}
	ndcg, err := r.metricPlot("NDCG@K", func(m trainer.Metrics) float64 { return m.NDCG })
	if err != nil {
		return err
	}
	img := vgimg.New(vg.Points(960), vg.Points(420))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	cs := plot.Align([][]*plot.Plot{{hr, ndcg}}, tiles, dc)
	hr.Draw(cs[0][0])
	ndcg.Draw(cs[0][1])
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("writing plot %s: %w", path, err)
	}
	return f.Close()
}

func (r *Report) metricPlot(title string, value func(trainer.Metrics) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%s)", title, r.Protocol)
	p.X.Label.Text = "K"
	p.Y.Label.Text = title
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	var lines []any
	for _, res := range r.Results {
		pts := make(plotter.XYs, len(res.Metrics))
		for j, m := range res.Metrics {
			pts[j] = plotter.XY{X: float64(m.K), Y: value(m)}
		}
		lines = append(lines, res.Model, pts)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return nil, fmt.Errorf("plotting %s: %w", title, err)
	}
	return p, nil
}
