package costpage

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.js
	pageJS string
	//go:embed page.css
	pageCSS string

	page = template.Must(template.New("page").Parse(pageHTML))
)

// Render writes d as the page: one HTML file with the data as a JSON blob
// and the chart code and styles inline, so it needs no network to view.
func Render(w io.Writer, d Data) error {
	// json.Marshal escapes <, > and &, so the blob cannot close its
	// script element whatever the names in the bill say.
	blob, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("costpage: encoding the page's data: %w", err)
	}
	err = page.Execute(w, struct {
		Title  string
		Data   template.JS
		Script template.JS
		Style  template.CSS
	}{d.Title, template.JS(blob), template.JS(pageJS), template.CSS(pageCSS)})
	if err != nil {
		return fmt.Errorf("costpage: writing the page: %w", err)
	}
	return nil
}
