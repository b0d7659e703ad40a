package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/curpipe/curpipe/io/awstest"
)

// TestValidateWorkerRole checks a role's policies against the calls a
// deployment's workers make: the role deploy/curpipe.yaml grants passes,
// and one missing a call, or whose lake access is scoped to another
// prefix, or that a statement denies, fails naming each refused call.
func TestValidateWorkerRole(t *testing.T) {
	ctx := context.Background()
	env := newStreamEnv(t, viaS3)
	billing, lake := env.bucket, newBucket(t, "lake")
	topic := createTopic(t)
	table := awstest.Name(t, "totals")
	upload(t, "../../testdata/samples/koku-aws-fixtures/input", billing, "cur")
	if _, err := curpipe(t, "run", "--input", "s3://"+billing+"/cur/", "--output", "s3://"+lake+"/x",
		"--totals-table", table, "--create-table", "--no-anomalies", "--no-forecasts"); err != nil {
		t.Fatal(err)
	}
	queueArn := queueARN(t, env.sqs, env.queue)
	c := iam.NewFromConfig(awstest.Config(t))

	// WorkerPolicy of deploy/curpipe.yaml, resolved for these resources.
	policy := func(lakePrefix string, queueActions []string, extra ...map[string]any) string {
		st := []map[string]any{
			{"Sid": "ReadExports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + billing + "/cur/*"},
			{"Sid": "ListExports", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::" + billing,
				"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": "cur/*"}}},
			{"Sid": "ReadWriteLake", "Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"},
				"Resource": "arn:aws:s3:::" + lake + "/" + lakePrefix + "*"},
			{"Sid": "ListLake", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::" + lake,
				"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": lakePrefix + "*"}}},
			{"Sid": "ConsumeQueue", "Effect": "Allow", "Action": queueActions, "Resource": queueArn},
			{"Sid": "WriteTotals", "Effect": "Allow", "Action": []string{"dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query",
				"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, "Resource": "arn:aws:dynamodb:*:*:table/" + table},
			{"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
		}
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": append(st, extra...)})
		return string(b)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := func(name, doc string, inline bool) string {
		t.Helper()
		r, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		if err != nil {
			t.Fatal(err)
		}
		if inline {
			_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("worker"), PolicyDocument: aws.String(doc)})
		} else {
			var p *iam.CreatePolicyOutput
			if p, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(doc)}); err == nil {
				_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.Policy.Arn})
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(r.Role.Arn)
	}
	all := []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"}
	validate := func(role string) (string, error) {
		return curpipe(t, "validate", "--input", "s3://"+billing+"/cur/", "--output", "s3://"+lake+"/x",
			"--totals-table", table, "--sns-topic", topic, "--queue", env.queue, "--worker-role", role)
	}

	good := role(awstest.Name(t, "good"), policy("x/", all), false)
	out, err := validate(good)
	if want := "ok    role " + good + " may make every call the workers make"; err != nil || !strings.Contains(out, want) {
		t.Errorf("validate with the deployment's role: %v, lacks %q:\n%s", err, want, out)
	}

	bad := role(awstest.Name(t, "bad"), policy("other/", all[:3],
		map[string]any{"Sid": "NoDeletes", "Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"}), true)
	out, err = validate(bad)
	if err == nil {
		t.Fatalf("validate with a role short of calls passed:\n%s", out)
	}
	for _, want := range []string{
		"FAIL  role " + bad + " may make every call the workers make: its 1 policy refuses",
		"s3:PutObject on arn:aws:s3:::" + lake + "/x/_curpipe/reports/example.json (no statement allows it)",
		"s3:ListBucket on arn:aws:s3:::" + lake + ` with s3:prefix "x/" (no statement allows it)`,
		"sqs:GetQueueAttributes on " + queueArn + " (no statement allows it)",
		"(denied by worker/NoDeletes)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3:GetObject on arn:aws:s3:::"+billing) || strings.Contains(out, "sns:Publish") {
		t.Errorf("validate refuses a call the role allows:\n%s", out)
	}
}
