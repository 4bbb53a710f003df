package datasets_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/recsys/recsys/trainer/datasets"
)

const sliDir = "../../../shared/data/shopify-synthetic/"

func TestSLIGroupsSplitOnUserAndHistory(t *testing.T) {
	in := "1\tu1\tc\tX\t5\ta,b\tX,Y\t1,2\n" +
		"0\tu1\td\tY\t5\ta,b\tX,Y\t1,2\n" +
		"0\tu2\ta\tX\t6\t\t\t\n" +
		"1\tu2\tb\tY\t6\t\t\t\n"
	groups, err := datasets.SLIGroups(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("%d groups, want 2", len(groups))
	}
	g := groups[0]
	if g.User != "u1" || !slices.Equal(g.Hist, []string{"a", "b"}) || !slices.Equal(g.HistCats, []string{"X", "Y"}) ||
		!slices.Equal(g.Items, []string{"c", "d"}) || !slices.Equal(g.Labels, []bool{true, false}) || !slices.Equal(g.Cats, []string{"X", "Y"}) {
		t.Errorf("group 1 = %+v", g)
	}
	if groups[1].Hist != nil || !slices.Equal(groups[1].Labels, []bool{false, true}) {
		t.Errorf("group 2 = %+v", groups[1])
	}
}

func TestSLIGroupsRejectBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"two positives":  "1\tu\ta\tX\t1\t\t\t\n1\tu\tb\tX\t1\t\t\t\n",
		"no positive":    "0\tu\ta\tX\t1\t\t\t\n",
		"missing fields": "1\tu\ta\n",
		"bad label":      "2\tu\ta\tX\t1\t\t\t\n",
	} {
		if _, err := datasets.SLIGroups(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSLITrainHoldsOutTheLastRowsPerUserInFileOrder(t *testing.T) {
	rows, err := datasets.SLIInteractions(strings.NewReader(
		"1\tu1\ta\t900\tX\n1\tu2\tz\t100\tX\n1\tu1\tb\t100\tX\n1\tu1\tc\t500\tY\n1\tu1\td\t1\tY\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.SLITrain(rows, 2, []datasets.SLIGroup{{Items: []string{"q"}}})
	u1 := slices.Index(d.Users, "u1")
	var got []string
	for _, e := range d.Seqs[u1] {
		got = append(got, d.Items[e.Item])
	}
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("u1 trains on %v; want [a b] (file order, last two held out)", got)
	}
	if slices.Contains(d.Users, "u2") {
		t.Error("u2, with a single row, has training data")
	}
	if _, ok := d.ItemID("q"); !ok {
		t.Error("a candidate item is not in the vocabulary")
	}
}

// TestSLIGroupsAreTheFileOrderHistories checks the shared files against
// EVALUATION.md: 149 groups each, the test history is every row but the
// last, the valid history every row but the last two.
func TestSLIGroupsAreTheFileOrderHistories(t *testing.T) {
	if _, err := os.Stat(sliDir + "interactions.tsv"); err != nil {
		t.Skipf("shopify-synthetic not present at %s (evaluation data lives outside the repo)", sliDir)
	}
	rows, valid, test := loadSLI(t)
	if len(rows) != 73345 || len(valid) != 149 || len(test) != 149 {
		t.Fatalf("rows, valid, test = %d, %d, %d; want 73,345, 149, 149", len(rows), len(valid), len(test))
	}
	byUser := map[string][]string{}
	for _, r := range rows {
		byUser[r.User] = append(byUser[r.User], r.Item)
	}
	for cut, groups := range map[int][]datasets.SLIGroup{1: test, 2: valid} {
		for _, g := range groups {
			u := byUser[g.User]
			pos := g.Items[slices.Index(g.Labels, true)]
			if !slices.Equal(g.Hist, u[:len(u)-cut]) || pos != u[len(u)-cut] {
				t.Errorf("user %s: group (cut %d) is not the file-order history and next row", g.User, cut)
			}
		}
	}
}

func loadSLI(t *testing.T) ([]datasets.SLIRow, []datasets.SLIGroup, []datasets.SLIGroup) {
	t.Helper()
	open := func(name string) *os.File {
		f, err := os.Open(sliDir + name)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := open("interactions.tsv")
	defer f.Close()
	rows, err := datasets.SLIInteractions(f)
	if err != nil {
		t.Fatal(err)
	}
	var groups [2][]datasets.SLIGroup
	for k, name := range []string{"valid_data_neg4.gz", "test_data_neg9.gz"} {
		r, err := datasets.Open(sliDir + name)
		if err != nil {
			t.Fatal(err)
		}
		groups[k], err = datasets.SLIGroups(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return rows, groups[0], groups[1]
}
