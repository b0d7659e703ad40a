package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestStackPayerBuckets: three payers keep their CUR 2.0 exports in
// buckets of their own (payer-bucket.yaml), and curpipe reads each as the
// read role that payer's stack grants, assumed through STS with the
// worker's credentials (the central stack's WorkerPolicy and
// PayerReadRolesPolicy). The third
// payer's role trusts another principal: its reports fail, the other two
// payers' totals are exact.
//
// The stacks, the worker and STS live on a moto server of the test's own
// with IAM enforced, so moto judges each AssumeRole against the worker's
// policy and the role's trust policy. The exports and the lake are on the
// shared moto server, unenforced: moto's signature check under
// enforcement fails every S3 listing whose prefix holds a '/', as
// curpipe's do, and every key holding an '=', as CUR 2.0's do. What the read roles may do in S3 is judged on the private
// server with direct calls.
func TestStackPayerBuckets(t *testing.T) {
	iamEnv, private := privateMoto(t)
	if !private {
		if os.Getenv("CI") != "" {
			t.Fatal("moto_server is not on the PATH: this test needs a moto server of its own")
		}
		t.Skip("moto_server is not on the PATH: this test needs a moto server of its own")
	}
	data := sharedEnv(t)
	ctx := context.Background()

	// The worker: an IAM user holding the central stack's WorkerPolicy.
	const account = "123456789012" // moto's
	names := []string{awstest.Name(t, "payer-a"), awstest.Name(t, "payer-b"), awstest.Name(t, "payer-c")}
	roleARN := func(i int) string {
		return "arn:aws:iam::" + account + ":role/curpipe-source-read-" + string(rune('a'+i))
	}
	var sources []string
	for i, b := range names {
		sources = append(sources, "s3://"+b+"/cur/="+roleARN(i))
	}
	central := iamEnv.deploy(t, awstest.Name(t, "curpipe"), map[string]string{"BillingBucketName": awstest.Name(t, "billing"),
		"CreateBillingBucket": "true", "PayerAccountIds": account, "PayerSources": strings.Join(sources, ",")})
	if cmd := central.out(t, "StreamCommand"); !strings.HasSuffix(cmd, " --source-role "+strings.Join(sources, ",")) {
		t.Errorf("StreamCommand does not pass the payers' roles: %s", cmd)
	}
	user := awstest.Name(t, "worker")
	iam := iamEnv.iam()
	if err := iam.call(ctx, "CreateUser", url.Values{"UserName": {user}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"WorkerPolicyArn", "PayerReadRolesPolicyArn"} {
		if err := iam.call(ctx, "AttachUserPolicy", url.Values{"UserName": {user}, "PolicyArn": {central.out(t, p)}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := iam.call(ctx, "CreateAccessKey", url.Values{"UserName": {user}}, &key); err != nil {
		t.Fatal(err)
	}
	worker, refused := iamEnv.as(key.ID, key.Secret)

	// The payers' stacks; the third one's role trusts someone else.
	trusted := []string{"arn:aws:iam::" + account + ":user/" + user, "arn:aws:iam::" + account + ":user/" + user,
		"arn:aws:iam::" + account + ":user/someone-else"}
	var roles []string
	for i, b := range names {
		st := iamEnv.deploy(t, awstest.Name(t, "payer"), map[string]string{"CentralAccountId": account, "CentralWorkerArn": trusted[i],
			"BucketName": b, "ReadRoleName": "curpipe-source-read-" + string(rune('a'+i))}, "payer-bucket.yaml")
		if got := st.out(t, "SourceRole"); got != sources[i] {
			t.Errorf("payer %d's SourceRole is %s, want %s", i, got, sources[i])
		}
		roles = append(roles, st.out(t, "ReadRoleArn"))
		restorePolicy(t, iamEnv, "curpipe-source-read-"+string(rune('a'+i)), b)
	}
	// A key without '=' or a listing: moto's signature check under
	// enforcement fails S3 calls whose path holds an escaped '='.
	export := "cur/" + account + "/curpipe/export-0001.parquet"
	for _, b := range names {
		if _, err := iamEnv.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(export), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}

	// IAM enforced from here on the private server: what the worker may
	// do with the roles, call by call.
	if err := setAuth(iamEnv.endpoint, "0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setAuth(iamEnv.endpoint, "inf") })
	stsc := sts.NewFromConfig(worker.cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(iamEnv.endpoint) })
	assume := func(role string) (env, error) {
		out, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("curpipe")})
		if err != nil {
			return env{}, err
		}
		e := worker
		e.cfg = worker.cfg.Copy()
		c := out.Credentials
		e.cfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
		return e, nil
	}
	asA, err := assume(roles[0])
	if err != nil {
		t.Fatalf("the worker may not assume payer a's read role: %v", err)
	}
	denied := func(what string, err error) {
		t.Helper()
		if body := refused.take(); err == nil || httpStatus(err) != 403 || !deniedBody.MatchString(body) {
			t.Errorf("%s: got %v %s, want access denied", what, err, body)
		}
	}
	if _, err := asA.s3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(names[0]), Key: aws.String(export)}); err != nil {
		t.Errorf("payer a's read role may not read its export: %v", err)
	}
	_, err = asA.s3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(names[0]), Key: aws.String("cur/forged.csv"), Body: strings.NewReader("x")})
	denied("payer a's read role writes the payer's bucket", err)
	_, err = asA.s3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(names[1]), Key: aws.String(export)})
	denied("payer a's read role reads payer b's bucket", err)
	_, err = worker.s3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(names[0]), Key: aws.String(export)})
	denied("the worker reads a payer's bucket without its role", err)
	_, err = assume(roles[2])
	denied("the worker assumes payer c's role, which trusts someone else", err)
	_, err = assume(central.out(t, "WorkerRoleArn"))
	denied("the worker assumes a role its policy does not name", err)

	// The payers' exports, on the shared server; curpipe reads them as
	// the roles STS (the private server, enforcing) gives the worker.
	var tabs []totals.Table
	for i, b := range names {
		if _, err := data.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		cfg := gen.DefaultConfig()
		cfg.Format, cfg.Seed = gen.CUR2Parquet, uint64(20+i)
		cfg.Rows, cfg.Files, cfg.Payers, cfg.Accounts = 1200, 2, 1, 3
		cfg.Prefix, cfg.Report = "cur/"+account, "curpipe"
		tab := putGenerated(t, data, b, cfg)
		if i < 2 {
			tabs = append(tabs, tab)
		}
	}
	lakeBucket := awstest.Name(t, "lake")
	if _, err := data.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(lakeBucket)}); err != nil {
		t.Fatal(err)
	}
	lake := "s3://" + lakeBucket + "/curpipe-lake/"
	args := []string{"run", "--output", lake, "--no-curated", "--source-role", strings.Join(sources[:2], ","), "--source-role", sources[2]}
	for _, b := range names {
		args = append(args, "--input", "s3://"+b+"/cur/")
	}
	bin := curpipeBinary(t)
	run := exec.Command(bin, args...)
	run.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+data.endpoint, "AWS_ENDPOINT_URL_STS="+iamEnv.endpoint,
		"AWS_ACCESS_KEY_ID="+key.ID, "AWS_SECRET_ACCESS_KEY="+key.Secret, "AWS_SESSION_TOKEN=")
	var out, errs bytes.Buffer
	run.Stdout, run.Stderr = &out, &errs
	err = run.Run()
	if code := run.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("curpipe run exited %d (%v), want 1 for payer c's failed input\nstdout:\n%s\nstderr:\n%s", code, err, out.String(), errs.String())
	}
	if !strings.Contains(errs.String(), "s3://"+names[2]+"/cur/ (s3://"+names[2]+"/cur/): as "+roles[2]) {
		t.Errorf("curpipe run does not name payer c's input and role as failed:\n%s\n%s", out.String(), errs.String())
	}
	for _, b := range names[:2] {
		if strings.Contains(errs.String(), "failed: s3://"+b) {
			t.Errorf("a report of %s failed:\n%s", b, errs.String())
		}
	}
	t.Logf("curpipe run:\n%s%s", out.String(), errs.String())
	query := exec.Command(bin, "query", "--output", lake, "--from", "2023-06-01", "--to", "2025-06-30", "--detail")
	query.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+data.endpoint)
	got, err := query.Output()
	if err != nil {
		t.Fatalf("curpipe query: %v", err)
	}
	if want := expected(t, tabs...); !sameTotals(t, string(got), want) {
		t.Errorf("the lake's totals are not payers a and b's exactly:\ngot\n%s\nwant\n%s", got, want)
	}
}

// restorePolicy puts a read role's inline policy, as payer-bucket.yaml
// writes it for bucket, through the IAM API: moto's CloudFormation stores
// a role's inline policies in a form its IAM enforcement fails on (an
// internal error), while a document put through IAM is stored as it reads.
func restorePolicy(t *testing.T, e env, role, bucket string) {
	t.Helper()
	tmpl := loadTemplateFile(t, "payer-bucket.yaml")
	policies, _ := at(tmpl, "Resources", "ReadRole", "Properties", "Policies").([]any)
	if len(policies) != 1 {
		t.Fatalf("ReadRole has %d policies, want 1", len(policies))
	}
	vars := map[string]string{"AWS::Partition": "aws", "Bucket": bucket, "ExportPrefix": "cur/"}
	doc, err := json.Marshal(substitute(at(policies[0], "PolicyDocument"), vars))
	if err != nil {
		t.Fatal(err)
	}
	name, _ := at(policies[0], "PolicyName").(string)
	if err := e.iam().call(context.Background(), "PutRolePolicy", url.Values{"RoleName": {role}, "PolicyName": {name}, "PolicyDocument": {string(doc)}}, nil); err != nil {
		t.Fatal(err)
	}
}

// substitute resolves the template's !Sub strings in v with vars.
func substitute(v any, vars map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		if sub, ok := v["Fn::Sub"].(string); ok && len(v) == 1 {
			for k, val := range vars {
				sub = strings.ReplaceAll(sub, "${"+k+"}", val)
			}
			return sub
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = substitute(x, vars)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = substitute(x, vars)
		}
		return out
	}
	return v
}
