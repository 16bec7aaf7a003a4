package cli

import (
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// caption explains the columns under every rendering of the table.
const caption = "ARI against the described lithology per method and k (test split); sil.: silhouette at each method's best k; active: latent dimensions with std ≥ 0.1; recon R²: mean over features; –: not measured."

// table is the comparison as header and cells, rendered three ways.
type table struct {
	header []string
	rows   [][]string
}

// methodNames are how a paper names the clustering methods.
var methodNames = map[string]string{"gmm": "GMM", "kmeans": "K-Means"}

func methodName(m string) string {
	if n, ok := methodNames[m]; ok {
		return n
	}
	return m
}

// compareTable lays the rows out: the model's shape, then ARI for every
// method and k any model was clustered at, the silhouette at each
// method's best k, and the mean reconstruction R² where measured.
func compareTable(rows []modelRow) table {
	methods, ks := methodsAndKs(rows)
	t := table{header: []string{"model", "inputs", "latent", "active", "parameters", "epochs"}}
	for _, m := range methods {
		for _, k := range ks[m] {
			t.header = append(t.header, fmt.Sprintf("%s k%s", methodName(m), k))
		}
	}
	for _, m := range methods {
		t.header = append(t.header, "sil. "+methodName(m))
	}
	recon := slices.ContainsFunc(rows, func(r modelRow) bool { return len(r.ReconR2) > 0 })
	if recon {
		t.header = append(t.header, "recon R²")
	}
	for _, r := range rows {
		cells := []string{r.Model, count(r.Inputs), count(r.Latent), count(r.Active), count(r.Parameters), count(r.Epochs)}
		for _, m := range methods {
			for _, k := range ks[m] {
				cells = append(cells, score(r.ARI[m], k))
			}
		}
		for _, m := range methods {
			cells = append(cells, score(r.Silhouette, m))
		}
		if recon {
			cells = append(cells, meanScore(r.ReconR2))
		}
		t.rows = append(t.rows, cells)
	}
	return t
}

// methodsAndKs lists the methods and, per method, the ks any row has,
// in numeric order.
func methodsAndKs(rows []modelRow) ([]string, map[string][]string) {
	ks := map[string][]string{}
	for _, r := range rows {
		for m, byK := range r.ARI {
			for k := range byK {
				if !slices.Contains(ks[m], k) {
					ks[m] = append(ks[m], k)
				}
			}
		}
	}
	var methods []string
	for m := range ks {
		methods = append(methods, m)
		slices.SortFunc(ks[m], func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	}
	slices.Sort(methods)
	return methods, ks
}

func count(n int) string {
	if n == 0 {
		return "–"
	}
	return strconv.Itoa(n)
}

func score(m map[string]float64, key string) string {
	v, ok := m[key]
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

func meanScore(m map[string]float64) string {
	if len(m) == 0 {
		return "–"
	}
	sum := 0.0
	for _, k := range slices.Sorted(maps.Keys(m)) { // a fixed order: the same digits every time
		sum += m[k]
	}
	return fmt.Sprintf("%.2f", sum/float64(len(m)))
}

// A format renders a table.
type format func(w io.Writer, t table)

func plain(w io.Writer, t table) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, line := range append([][]string{t.header}, t.rows...) {
		fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w, caption)
}

func markdown(w io.Writer, t table) {
	fmt.Fprintln(w, "| "+strings.Join(t.header, " | ")+" |")
	align := make([]string, len(t.header))
	for i := range align {
		align[i] = "---:"
	}
	align[0] = ":---"
	fmt.Fprintln(w, "|"+strings.Join(align, "|")+"|")
	for _, r := range t.rows {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
	fmt.Fprintln(w, "\n"+caption)
}

func writeCompareTable(w io.Writer, rows []modelRow, f format) { f(w, compareTable(rows)) }

// htmlTable renders the table as an HTML table with its caption below.
func htmlTable(t table) string {
	var b strings.Builder
	b.WriteString("<table>\n<tr>")
	for _, h := range t.header {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n<p>" + html.EscapeString(caption) + "</p>\n")
	return b.String()
}

// writeCompareHTML writes the table as a page with no external links,
// replacing only a regular file and only with force.
func writeCompareHTML(path string, rows []modelRow, force bool) error {
	page := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>litho: model comparison</title>\n" +
		"<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}" +
		"th,td{padding:.3em .6em;border-bottom:1px solid #ccc;text-align:right}th:first-child,td:first-child{text-align:left}</style>\n" +
		"</head><body><h1>Model comparison</h1>\n" + htmlTable(compareTable(rows)) + "</body></html>\n"
	return writeOutput(path, []byte(page), force)
}
