package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/iamio"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/iampolicy"
)

// workerCalls are what a role running curpipe's workers must be allowed:
// the inputs, the lake, the queue, the table and the topics it names.
type workerCalls struct {
	inputs       []string // s3:// inputs read with the role itself
	output       string
	queue, table string
	topics       []string
}

// requests returns the calls, one of each kind per resource. Object
// calls are asked of an example key under each prefix.
func (w workerCalls) requests(ctx context.Context, partition string) ([]iampolicy.Request, error) {
	var reqs []iampolicy.Request
	secure := map[string]string{"aws:SecureTransport": "true"}
	add := func(resource string, actions ...string) {
		for _, a := range actions {
			reqs = append(reqs, iampolicy.Request{Action: a, Resource: resource, Context: secure})
		}
	}
	bucketCalls := func(u, example string, actions ...string) error {
		bucket, prefix, err := s3io.ParseURL(u)
		if err != nil {
			return err
		}
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		add("arn:"+partition+":s3:::"+bucket+"/"+prefix+example, actions...)
		reqs = append(reqs, iampolicy.Request{Action: "s3:ListBucket", Resource: "arn:" + partition + ":s3:::" + bucket,
			Context: map[string]string{"aws:SecureTransport": "true", "s3:prefix": prefix}})
		return nil
	}
	for _, in := range w.inputs {
		if err := bucketCalls(in, "example/example-00001.csv.gz", "s3:GetObject"); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(w.output, s3io.Scheme+"://") {
		if err := bucketCalls(w.output, "_curpipe/reports/example.json", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"); err != nil {
			return nil, err
		}
	}
	if w.queue != "" {
		info, err := sqsio.Describe(ctx, w.queue)
		if err != nil {
			return nil, err
		}
		add(info.ARN, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")
	}
	if w.table != "" {
		t, err := dynamodbio.Open(ctx, w.table)
		if err != nil {
			return nil, err
		}
		arn, err := t.ARN(ctx)
		if err != nil {
			return nil, err
		}
		add(arn, "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
	}
	seen := map[string]bool{}
	for _, t := range w.topics {
		if t != "" && !seen[t] {
			seen[t] = true
			add(t, "sns:Publish")
		}
	}
	return reqs, nil
}

// checkWorkerRole evaluates the role's identity policies against every
// call of w and names each one they do not allow.
func checkWorkerRole(ctx context.Context, role string, w workerCalls) error {
	partition := "aws"
	if p := strings.Split(role, ":"); len(p) > 2 && p[0] == "arn" {
		partition = p[1]
	}
	docs, err := iamio.RolePolicies(ctx, role)
	if err != nil {
		return err
	}
	reqs, err := w.requests(ctx, partition)
	if err != nil {
		return err
	}
	var refused []string
	for _, r := range reqs {
		d := iampolicy.Evaluate(docs, r)
		switch {
		case d.Allowed:
		case d.By != "":
			refused = append(refused, fmt.Sprintf("%s (denied by %s)", r, d.By))
		default:
			what := r.String()
			if p := r.Context["s3:prefix"]; p != "" {
				what += fmt.Sprintf(" with s3:prefix %q", p)
			}
			refused = append(refused, what+" (no statement allows it)")
		}
	}
	if len(refused) > 0 {
		policies := fmt.Sprintf("its %d policies refuse", len(docs))
		if len(docs) == 1 {
			policies = "its 1 policy refuses"
		}
		return fmt.Errorf("%s %d of the %d calls the workers make:\n    %s", policies, len(refused), len(reqs), strings.Join(refused, "\n    "))
	}
	if len(reqs) == 0 {
		return errors.New("no AWS resource named to check it against (give --input s3://..., --output s3://..., --queue, --totals-table or a topic)")
	}
	return nil
}
