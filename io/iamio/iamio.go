// Package iamio reads an IAM role's identity policies, for checking that
// the role may make the calls curpipe makes (transforms/iampolicy
// evaluates them).
package iamio

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/transforms/iampolicy"
)

// RoleName returns the name of a role from its ARN
// (arn:aws:iam::123456789012:role/path/name), or the argument when it is
// a plain name.
func RoleName(role string) string {
	if !strings.HasPrefix(role, "arn:") {
		return role
	}
	_, res, ok := strings.Cut(role, ":role/")
	if !ok {
		return role
	}
	return res[strings.LastIndex(res, "/")+1:]
}

// RolePolicies returns the identity policies of a role: its managed
// policies (their default versions) and its inline policies.
func RolePolicies(ctx context.Context, role string) ([]iampolicy.Document, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	c := iam.NewFromConfig(cfg)
	name := RoleName(role)
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
		return nil, fmt.Errorf("role %s: %w", name, err)
	}
	var docs []iampolicy.Document
	attached := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("role %s: list its managed policies: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			doc, err := managed(ctx, c, aws.ToString(p.PolicyArn), aws.ToString(p.PolicyName))
			if err != nil {
				return nil, fmt.Errorf("role %s: %w", name, err)
			}
			docs = append(docs, doc)
		}
	}
	inline := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("role %s: list its inline policies: %w", name, err)
		}
		for _, p := range page.PolicyNames {
			out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
			if err != nil {
				return nil, fmt.Errorf("role %s: inline policy %s: %w", name, p, err)
			}
			doc, err := parse(p, aws.ToString(out.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("role %s: %w", name, err)
			}
			docs = append(docs, doc)
		}
	}
	return docs, nil
}

// managed reads the default version of a managed policy.
func managed(ctx context.Context, c *iam.Client, arn, name string) (iampolicy.Document, error) {
	p, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return iampolicy.Document{}, fmt.Errorf("policy %s: %w", arn, err)
	}
	v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		return iampolicy.Document{}, fmt.Errorf("policy %s version %s: %w", arn, aws.ToString(p.Policy.DefaultVersionId), err)
	}
	return parse(name, aws.ToString(v.PolicyVersion.Document))
}

// parse reads a policy document as IAM returns it: URL-encoded JSON.
func parse(name, doc string) (iampolicy.Document, error) {
	if dec, err := url.PathUnescape(doc); err == nil {
		doc = dec
	}
	return iampolicy.Parse(name, []byte(doc))
}
