package deploy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/curpipe/curpipe/io/awstest"
)

// templateFile is the template under test, beside this file.
const templateFile = "curpipe.yaml"

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// env is one AWS endpoint (a moto server) and the credentials to call it
// with. The SDK clients it builds name the endpoint themselves, so a test
// can hold two envs at once: moto's shared server and one of its own.
type env struct {
	endpoint string
	cfg      aws.Config
}

// sharedEnv is the moto server awstest gives every package's tests.
func sharedEnv(t *testing.T) env {
	t.Helper()
	endpoint := awstest.Endpoint(t)
	return env{endpoint: endpoint, cfg: awstest.Config(t)}
}

// as returns the env calling with other credentials, without retries (the
// calls it makes are judged one by one, and a denial is final), and the
// recorder of its refusals.
func (e env) as(keyID, secret string) (env, *refusals) {
	e.cfg = e.cfg.Copy()
	e.cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
	e.cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	r := &refusals{inner: e.cfg.HTTPClient}
	if r.inner == nil {
		r.inner = http.DefaultClient
	}
	e.cfg.HTTPClient = r
	return e, r
}

// refusals is an HTTP client that keeps the body of the last 403 answer:
// moto answers a JSON-protocol call it denies in XML, which the SDK cannot
// decode, so the reason is read here.
type refusals struct {
	inner aws.HTTPClient
	mu    sync.Mutex
	last  string
}

func (r *refusals) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.inner.Do(req)
	if err != nil || resp.StatusCode != http.StatusForbidden {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read a refusal's body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.last = string(b)
	r.mu.Unlock()
	return resp, nil
}

// take returns the last refusal's body and forgets it.
func (r *refusals) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.last
	r.last = ""
	return s
}

func (e env) s3() *s3.Client {
	return s3.NewFromConfig(e.cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(e.endpoint)
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true // moto sends no checksums
	})
}

func (e env) sqs() *sqs.Client {
	return sqs.NewFromConfig(e.cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(e.endpoint) })
}

func (e env) dynamodb() *dynamodb.Client {
	return dynamodb.NewFromConfig(e.cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(e.endpoint) })
}

func (e env) sns() *sns.Client {
	return sns.NewFromConfig(e.cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(e.endpoint) })
}

func (e env) events() *eventbridge.Client {
	return eventbridge.NewFromConfig(e.cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(e.endpoint) })
}

// cloudFormation and iam speak the Query protocol, whose SDK clients the
// module does not require; queryAPI is enough for the calls the tests make.
func (e env) cloudFormation() queryAPI {
	return queryAPI{endpoint: e.endpoint, service: "cloudformation", version: "2010-05-15", cfg: e.cfg}
}

func (e env) iam() queryAPI {
	return queryAPI{endpoint: e.endpoint, service: "iam", version: "2010-05-08", cfg: e.cfg}
}

// queryAPI calls an AWS Query-protocol API: a signed form POST answered in
// XML.
type queryAPI struct {
	endpoint, service, version string
	cfg                        aws.Config
}

// queryError is a Query API's error answer.
type queryError struct {
	Action string
	Status int
	Body   string
}

// errorCode finds the code and message in an AWS error answer, whatever
// element wraps them.
var errorCode = regexp.MustCompile(`(?s)<Code>(.*?)</Code>.*?<Message>(.*?)</Message>`)

func (e *queryError) Error() string {
	if m := errorCode.FindStringSubmatch(e.Body); m != nil {
		return fmt.Sprintf("%s: HTTP %d %s: %s", e.Action, e.Status, m[1], m[2])
	}
	return fmt.Sprintf("%s: HTTP %d: %.300s", e.Action, e.Status, e.Body)
}

// call sends action with params and decodes the answer into out (nil to
// drop it).
func (q queryAPI) call(ctx context.Context, action string, params url.Values, out any) error {
	form := url.Values{"Action": {action}, "Version": {q.version}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(q.endpoint, "/")+"/", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: %w", q.service, action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := q.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("%s %s: credentials: %w", q.service, action, err)
	}
	sum := sha256.Sum256([]byte(body))
	// moto routes a request by the service its signature names.
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), q.service, q.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("%s %s: sign: %w", q.service, action, err)
	}
	var client aws.HTTPClient = http.DefaultClient
	if q.cfg.HTTPClient != nil {
		client = q.cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", q.service, action, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", q.service, action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &queryError{Action: q.service + " " + action, Status: resp.StatusCode, Body: string(b)}
	}
	if out == nil {
		return nil
	}
	if err := xml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode %q: %w", q.service, action, b, err)
	}
	return nil
}

// members adds a Query list (name.member.1, name.member.2, ...) to v.
func members(v url.Values, name string, items ...string) {
	for i, s := range items {
		v.Set(fmt.Sprintf("%s.member.%d", name, i+1), s)
	}
}

// stack is a deployed stack: its outputs and resources.
type stack struct {
	name      string
	outputs   map[string]string
	resources []stackResource
}

type stackResource struct {
	LogicalID  string `xml:"LogicalResourceId"`
	PhysicalID string `xml:"PhysicalResourceId"`
	Type       string `xml:"ResourceType"`
	Status     string `xml:"ResourceStatus"`
}

// deploy creates a stack of the template (curpipe.yaml, or the file
// given) with params and waits until it is complete. The stack stays: moto cannot delete it (it deletes the role
// before detaching the managed policy), and names unique to the test keep
// it apart from others.
func (e env) deploy(t *testing.T, name string, params map[string]string, file ...string) *stack {
	t.Helper()
	ctx := context.Background()
	tmpl := templateFile
	if len(file) > 0 {
		tmpl = file[0]
	}
	body, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := params["RepositoryName"]; !ok && tmpl == templateFile {
		// AWS names the repository in lower case; moto would take the
		// stack's name as it is, which ECR refuses.
		params = maps.Clone(params)
		params["RepositoryName"] = strings.ToLower(name)
	}
	cfn := e.cloudFormation()
	in := url.Values{"StackName": {name}, "TemplateBody": {string(body)}}
	members(in, "Capabilities", "CAPABILITY_NAMED_IAM")
	i := 0
	for k, v := range params {
		i++
		in.Set(fmt.Sprintf("Parameters.member.%d.ParameterKey", i), k)
		in.Set(fmt.Sprintf("Parameters.member.%d.ParameterValue", i), v)
	}
	if err := cfn.call(ctx, "CreateStack", in, nil); err != nil {
		t.Fatalf("create stack: %v", err)
	}
	var described struct {
		Stacks []struct {
			Status  string `xml:"StackStatus"`
			Reason  string `xml:"StackStatusReason"`
			Outputs []struct {
				Key   string `xml:"OutputKey"`
				Value string `xml:"OutputValue"`
			} `xml:"Outputs>member"`
		} `xml:"DescribeStacksResult>Stacks>member"`
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if err := cfn.call(ctx, "DescribeStacks", url.Values{"StackName": {name}}, &described); err != nil {
			t.Fatalf("describe stack: %v", err)
		}
		if len(described.Stacks) != 1 {
			t.Fatalf("describe stack %s: %d stacks", name, len(described.Stacks))
		}
		s := described.Stacks[0]
		if s.Status == "CREATE_COMPLETE" {
			break
		}
		if !strings.HasSuffix(s.Status, "_IN_PROGRESS") || time.Now().After(deadline) {
			t.Fatalf("stack %s is %s: %s", name, s.Status, s.Reason)
		}
	}
	st := &stack{name: name, outputs: map[string]string{}}
	for _, o := range described.Stacks[0].Outputs {
		st.outputs[o.Key] = o.Value
	}
	var listed struct {
		Resources []stackResource `xml:"ListStackResourcesResult>StackResourceSummaries>member"`
	}
	if err := cfn.call(ctx, "ListStackResources", url.Values{"StackName": {name}}, &listed); err != nil {
		t.Fatalf("list stack resources: %v", err)
	}
	st.resources = listed.Resources
	return st
}

// out returns an output of the stack, failing the test when it is missing.
func (s *stack) out(t *testing.T, key string) string {
	t.Helper()
	v := s.outputs[key]
	if v == "" {
		t.Fatalf("stack %s has no output %s (outputs: %v)", s.name, key, s.outputs)
	}
	return v
}

// setAuth sets moto's IAM enforcement: "0" enforces it from the next
// request on, "inf" turns it off. The body is plain text: a form content
// type would hide it from moto.
func setAuth(endpoint, value string) error {
	resp, err := http.Post(strings.TrimSuffix(endpoint, "/")+"/moto-api/reset-auth", "text/plain", strings.NewReader(value))
	if err != nil {
		return fmt.Errorf("moto reset-auth %s: %w", value, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset-auth %s: HTTP %d: %s", value, resp.StatusCode, b)
	}
	return nil
}

// privateMoto starts a moto server for this test alone, stopped when the
// test ends, and returns its env; it returns the shared env when
// moto_server is not on the PATH (a remote AWS_ENDPOINT_URL). Switching
// IAM enforcement on a private server cannot fail another package's
// tests that run at the same time on the shared one.
func privateMoto(t *testing.T) (e env, private bool) {
	t.Helper()
	shared := sharedEnv(t) // fails under CI=true, skips elsewhere, without any moto
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Logf("moto_server is not on the PATH: IAM enforcement runs on the shared server %s", shared.endpoint)
		return shared, false
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var log bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &log, &log
	// Its own process group: moto_server may be a launcher (a pyenv shim)
	// whose server is a child, and both must end.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	})
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(u + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s: %v\n%s", u, err, log.String())
		}
	}
	return env{endpoint: u, cfg: shared.cfg.Copy()}, true
}

// httpStatus returns the HTTP status of a failed AWS call, 0 when it got
// no answer.
func httpStatus(err error) int {
	var qe *queryError
	if errors.As(err, &qe) {
		return qe.Status
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// curpipeBinary builds the curpipe command once per test binary: the
// stack is proven with the program a worker runs.
func curpipeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "curpipe-deploy-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "curpipe")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/curpipe/curpipe/cmd/curpipe").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build curpipe: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(100*time.Millisecond))
}
