package report

import (
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// fileClass is what an object is, judged by its name alone.
type fileClass int

const (
	classOther    fileClass = iota // not billing data: skipped with a reason
	classData                      // a billing data object (CSV, gzip, zip, Parquet)
	classManifest                  // a billing manifest, never a data file
)

// entry is one listed object with its URL taken apart.
type entry struct {
	obj   Object
	base  string   // "s3://bucket/", "/" or "" (relative): the part of the URL above the path
	segs  []string // path segments below base; the last is the object's name
	class fileClass
	why   string // why it is skipped, for classOther
}

func (e *entry) name() string   { return e.segs[len(e.segs)-1] }
func (e *entry) dirs() []string { return e.segs[:len(e.segs)-1] }

func newEntry(o Object) *entry {
	base, segs := splitURL(o.URL)
	e := &entry{obj: o, base: base, segs: segs}
	e.class, e.why = classify(segs)
	return e
}

// splitURL separates "s3://bucket/a/b" into "s3://bucket/" and [a b], and
// "/abs/a/b" into "/" and [abs a b]. Segments are kept as they are (an S3 key
// may hold empty ones), so that joining them back gives the URL again.
func splitURL(u string) (string, []string) {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return u + "/", []string{""}
		}
		return u[:i+3+j+1], strings.Split(rest[j+1:], "/")
	}
	if strings.HasPrefix(u, "/") {
		return "/", strings.Split(u[1:], "/")
	}
	return "", strings.Split(u, "/")
}

// folderURL joins a base and leading segments back into a folder's URL,
// without a trailing slash unless the folder is the base itself.
func folderURL(base string, segs []string) string {
	return base + strings.Join(segs, "/")
}

// under returns the prefix every object inside folder starts with.
func under(folder string) string {
	if folder == "" || strings.HasSuffix(folder, "/") {
		return folder
	}
	return folder + "/"
}

// relTo returns u's path below folder ("" when u is not inside it).
func relTo(u, folder string) string {
	p := under(folder)
	if !strings.HasPrefix(u, p) {
		return ""
	}
	return u[len(p):]
}

// lastSeg returns the last path segment of a folder URL, "" for a root.
func lastSeg(folder string) string {
	if folder == "" || strings.HasSuffix(folder, "/") {
		return ""
	}
	return folder[strings.LastIndexByte(folder, '/')+1:]
}

// statusDir is where the Athena integration keeps its readiness markers.
const statusDir = "cost_and_usage_data_status"

// dataSuffixes are the billing data object types; .csv.gz, .csv.zip and
// .snappy.parquet end in one of them.
var dataSuffixes = []string{".csv", ".gz", ".zip", ".parquet"}

// classify judges an object by its path: manifests by their AWS name
// ("<report>-Manifest.json"), data by extension, everything else is skipped.
func classify(segs []string) (fileClass, string) {
	name := segs[len(segs)-1]
	if name == "" {
		return classOther, "folder marker, not a billing file"
	}
	for _, s := range segs[:len(segs)-1] {
		if s == statusDir {
			return classOther, "Athena status marker (" + statusDir + "), not a billing file"
		}
	}
	if name == "Manifest.json" || strings.HasSuffix(name, "-Manifest.json") {
		return classManifest, ""
	}
	lower := strings.ToLower(name)
	for _, s := range dataSuffixes {
		if strings.HasSuffix(lower, s) && len(lower) > len(s) {
			return classData, ""
		}
	}
	switch ext := path.Ext(lower); ext {
	case ".json":
		return classOther, "not a billing file (JSON that is not a manifest)"
	case ".sql", ".yml", ".yaml":
		return classOther, "not a billing file (Athena/Glue setup " + ext + ")"
	case "":
		return classOther, "not a billing file (no extension)"
	default:
		return classOther, "not a billing file (" + ext + ")"
	}
}

var (
	rangeDir  = regexp.MustCompile(`^(\d{8})-(\d{8})$`)
	periodDir = regexp.MustCompile(`^(?i:billing_period)=(\d{4})-(\d{2})$`)
	yearDir   = regexp.MustCompile(`^year=(\d{4})$`)
	monthDir  = regexp.MustCompile(`^month=(\d{1,2})$`)
)

// Roots returns the folders to list to resolve the report that the object
// u belongs to, by the layout its path shows, and whether u is a data file
// that waits for a manifest (the manifest's event resolves the report
// once it comes). A path outside any layout is its own root.
func Roots(u string) (roots []string, waitsForManifest bool) {
	isManifest := strings.HasSuffix(u, "Manifest.json")
	parts := strings.Split(u, "/")
	for i, p := range parts {
		switch {
		case rangeDir.MatchString(p): // CUR 1.0: the date-range folder
			return []string{strings.Join(parts[:i+1], "/") + "/"}, !isManifest
		case periodDir.MatchString(p) && i > 0 && (parts[i-1] == "data" || parts[i-1] == "metadata"):
			export := strings.Join(parts[:i-1], "/")
			return []string{export + "/data/" + p + "/", export + "/metadata/" + p + "/"}, !isManifest
		case monthDir.MatchString(p) && i > 0 && yearDir.MatchString(parts[i-1]):
			return []string{strings.Join(parts[:i+1], "/") + "/"}, false
		}
	}
	return []string{u}, false
}

// rangePeriod reads a CUR 1.0 date-range folder ("20180801-20180901") and
// returns its start month ("2018-08"), or "" when the name is not one.
func rangePeriod(s string) string {
	m := rangeDir.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	start, err1 := time.Parse("20060102", m[1])
	end, err2 := time.Parse("20060102", m[2])
	if err1 != nil || err2 != nil || !start.Before(end) {
		return ""
	}
	return start.Format("2006-01")
}

// billingPeriod reads "BILLING_PERIOD=2024-01" as "2024-01", or "".
func billingPeriod(s string) string {
	m := periodDir.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if mo, _ := strconv.Atoi(m[2]); mo < 1 || mo > 12 {
		return ""
	}
	return m[1] + "-" + m[2]
}

// athenaPeriod reads "year=2023", "month=1" as "2023-01", or "".
func athenaPeriod(y, mo string) string {
	ym, mm := yearDir.FindStringSubmatch(y), monthDir.FindStringSubmatch(mo)
	if ym == nil || mm == nil {
		return ""
	}
	n, _ := strconv.Atoi(mm[1])
	if n < 1 || n > 12 {
		return ""
	}
	return ym[1] + "-" + strconv.Itoa(100 + n)[1:]
}

// The finders below return the index in dirs of the folder that anchors a
// layout, the rightmost one so that the listing root cannot confuse them,
// or -1.

// cur2At finds "data" or "metadata" followed by BILLING_PERIOD=YYYY-MM.
func cur2At(dirs []string) int {
	for i := len(dirs) - 2; i >= 0; i-- {
		if (dirs[i] == "data" || dirs[i] == "metadata") && billingPeriod(dirs[i+1]) != "" {
			return i
		}
	}
	return -1
}

// cur1At finds a date-range folder.
func cur1At(dirs []string) int {
	for i := len(dirs) - 1; i >= 0; i-- {
		if rangePeriod(dirs[i]) != "" {
			return i
		}
	}
	return -1
}

// athenaAt finds year=YYYY followed by month=M.
func athenaAt(dirs []string) int {
	for i := len(dirs) - 2; i >= 0; i-- {
		if athenaPeriod(dirs[i], dirs[i+1]) != "" {
			return i
		}
	}
	return -1
}
