package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// loadTemplate reads curpipe.yaml as JSON values, its short-form tags
// (!Ref, !Sub, ...) spelled in their long form, as CloudFormation reads
// them.
func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	return loadTemplateFile(t, templateFile)
}

// loadTemplateFile reads a template of this folder as loadTemplate does.
func loadTemplateFile(t *testing.T, templateFile string) map[string]any {
	t.Helper()
	body, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("read %s: %v", templateFile, err)
	}
	v, err := cfnValue(&doc)
	if err != nil {
		t.Fatalf("read %s: %v", templateFile, err)
	}
	// Through JSON, so that numbers and the rest are what a JSON reader
	// of the template would see.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatalf("template as JSON: %v", err)
	}
	return tmpl
}

// cfnValue turns a YAML node into plain values, a CloudFormation short
// form (!Name x) into its long form ({"Fn::Name": x}, {"Ref": x}; !GetAtt
// "A.B" into ["A", "B"]).
func cfnValue(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, fmt.Errorf("line %d: %d documents, want one", n.Line, len(n.Content))
		}
		return cfnValue(n.Content[0])
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := cfnValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := cfnValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, val)
		}
		v = l
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
	}
	fn, short := strings.CutPrefix(n.Tag, "!")
	if !short || strings.HasPrefix(fn, "!") {
		return v, nil // a plain value, or one of YAML's own tags (!!str)
	}
	switch fn {
	case "Ref":
		return map[string]any{"Ref": v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			resource, attr, _ := strings.Cut(s, ".")
			v = []any{resource, attr}
		}
	}
	return map[string]any{"Fn::" + fn: v}, nil
}

// at walks a decoded JSON value by map keys and list indexes ("0"),
// returning nil where the path leads nowhere.
func at(v any, path ...string) any {
	for _, p := range path {
		switch n := v.(type) {
		case map[string]any:
			v = n[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}

// ref and getAtt are the long forms of !Ref and !GetAtt, decoded.
func ref(name string) any { return map[string]any{"Ref": name} }

func getAtt(resource, attr string) any {
	return map[string]any{"Fn::GetAtt": []any{resource, attr}}
}

// TestTemplate checks what moto's CloudFormation does not create or
// ignores (queue, topic and bucket policies, alarms, the bucket's
// EventBridge switch, point-in-time recovery), and the template's
// parameters and outputs, from the template itself.
func TestTemplate(t *testing.T) {
	tmpl := loadTemplate(t)
	res := func(name string) map[string]any {
		t.Helper()
		r, _ := at(tmpl, "Resources", name).(map[string]any)
		if r == nil {
			t.Fatalf("the template has no resource %s", name)
		}
		return r
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !jsonEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: %s, want %s", what, g, w)
		}
	}

	t.Run("parameters", func(t *testing.T) {
		defaults := map[string]any{"ExportPrefix": "cur/", "LakeBucketName": "", "LakePrefix": "curpipe-lake/",
			"CreateBillingBucket": "false", "MaxReceiveCount": 5.0}
		for name, want := range defaults {
			check(name+" default", at(tmpl, "Parameters", name, "Default"), want)
		}
		if at(tmpl, "Parameters", "BillingBucketName") == nil || at(tmpl, "Parameters", "BillingBucketName", "Default") != nil {
			t.Error("BillingBucketName must be a parameter without a default")
		}
		// The lake's writes must not be announced as exports.
		exp, lake := defaults["ExportPrefix"].(string), defaults["LakePrefix"].(string)
		if strings.HasPrefix(lake, exp) || strings.HasPrefix(exp, lake) {
			t.Errorf("the default lake prefix %q and export prefix %q overlap", lake, exp)
		}
	})

	t.Run("rule on the default bus", func(t *testing.T) {
		rule := res("Rule")
		if bus := at(rule, "Properties", "EventBusName"); bus != nil && bus != "default" {
			t.Errorf("the rule is on the bus %v: S3 sends its events only to the default bus", bus)
		}
		for name, r := range at(tmpl, "Resources").(map[string]any) {
			if at(r, "Type") == "AWS::Events::EventBus" {
				t.Errorf("the template makes an event bus (%s); S3's events reach only the default one", name)
			}
		}
		check("rule pattern", at(rule, "Properties", "EventPattern"), map[string]any{
			"source": []any{"aws.s3"}, "detail-type": []any{"Object Created"},
			"detail": map[string]any{"bucket": map[string]any{"name": []any{ref("BillingBucketName")}},
				"object": map[string]any{"key": []any{map[string]any{"prefix": ref("ExportPrefix")}}}}})
		check("rule target", at(rule, "Properties", "Targets", "0", "Arn"), getAtt("Queue", "Arn"))
		check("rule target DLQ", at(rule, "Properties", "Targets", "0", "DeadLetterConfig", "Arn"), getAtt("EventsDlq", "Arn"))
	})

	t.Run("queue policies allow only the rule", func(t *testing.T) {
		for policy, queue := range map[string]string{"QueuePolicy": "Queue", "EventsDlqPolicy": "EventsDlq"} {
			p := res(policy)
			check(policy+" queues", at(p, "Properties", "Queues"), []any{ref(queue)})
			var allows []any
			for _, s := range at(p, "Properties", "PolicyDocument", "Statement").([]any) {
				if at(s, "Effect") == "Allow" {
					allows = append(allows, s)
				}
			}
			if len(allows) != 1 {
				t.Errorf("%s has %d Allow statements, want the rule's only", policy, len(allows))
				continue
			}
			s := allows[0]
			check(policy+" principal", at(s, "Principal"), map[string]any{"Service": "events.amazonaws.com"})
			check(policy+" action", at(s, "Action"), "sqs:SendMessage")
			check(policy+" resource", at(s, "Resource"), getAtt(queue, "Arn"))
			// The rule, and the payers' rule when there are PayerSources.
			check(policy+" condition", at(s, "Condition"), map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": []any{getAtt("Rule", "Arn"),
				map[string]any{"Fn::If": []any{"HasPayerSources", getAtt("PayerRule", "Arn"), ref("AWS::NoValue")}}}}})
		}
	})

	t.Run("queues", func(t *testing.T) {
		q := res("Queue")
		if v, _ := at(q, "Properties", "VisibilityTimeout").(float64); v < streamVisibility {
			t.Errorf("queue VisibilityTimeout %v, want at least %d s", v, streamVisibility)
		}
		check("redrive", at(q, "Properties", "RedrivePolicy"), map[string]any{
			"deadLetterTargetArn": getAtt("Dlq", "Arn"), "maxReceiveCount": ref("MaxReceiveCount")})
		for _, name := range []string{"Queue", "Dlq", "EventsDlq"} {
			check(name+" SSE", at(res(name), "Properties", "SqsManagedSseEnabled"), true)
		}
	})

	t.Run("billing bucket", func(t *testing.T) {
		b := res("BillingBucket")
		check("bucket condition", at(b, "Condition"), "CreateBucket")
		check("bucket EventBridge", at(b, "Properties", "NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled"), true)
		check("bucket deletion policy", at(b, "DeletionPolicy"), "Retain")
	})

	t.Run("image repository", func(t *testing.T) {
		r := res("Repository")
		check("repository condition", at(r, "Condition"), "CreateImageRepository")
		check("scan on push", at(r, "Properties", "ImageScanningConfiguration", "ScanOnPush"), true)
		check("immutable tags", at(r, "Properties", "ImageTagMutability"), "IMMUTABLE")
		policy, _ := at(r, "Properties", "LifecyclePolicy", "LifecyclePolicyText").(string)
		var lifecycle struct {
			Rules []struct {
				Selection struct{ CountType string }
				Action    struct{ Type string }
			}
		}
		if err := json.Unmarshal([]byte(policy), &lifecycle); err != nil || len(lifecycle.Rules) != 1 ||
			lifecycle.Rules[0].Selection.CountType != "imageCountMoreThan" || lifecycle.Rules[0].Action.Type != "expire" {
			t.Errorf("lifecycle policy %q: %v", policy, err)
		}
	})

	t.Run("table", func(t *testing.T) {
		tab := res("Table")
		check("point-in-time recovery", at(tab, "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), true)
		check("deletion protection", at(tab, "Properties", "DeletionProtectionEnabled"), true)
		check("billing mode", at(tab, "Properties", "BillingMode"), "PAY_PER_REQUEST")
		check("deletion policy", at(tab, "DeletionPolicy"), "Retain")
		check("replace policy", at(tab, "UpdateReplacePolicy"), "Retain")
	})

	t.Run("alarms and topics", func(t *testing.T) {
		watched := map[string]bool{}
		for name, r := range at(tmpl, "Resources").(map[string]any) {
			if at(r, "Type") != "AWS::CloudWatch::Alarm" {
				continue
			}
			check(name+" actions", at(r, "Properties", "AlarmActions"), []any{ref("AlertsTopic")})
			if at(r, "Properties", "MetricName") == "ApproximateNumberOfMessagesVisible" {
				watched[strings.Join(strs(at(r, "Properties", "Dimensions", "0", "Value", "Fn::GetAtt")), ".")] = true
				check(name+" threshold", []any{at(r, "Properties", "Threshold"), at(r, "Properties", "ComparisonOperator")},
					[]any{0.0, "GreaterThanThreshold"})
			}
		}
		for _, q := range []string{"Dlq", "EventsDlq"} {
			if !watched[q+".QueueName"] {
				t.Errorf("no alarm on the depth of %s", q)
			}
		}
		for _, topic := range []string{"EventsTopic", "AlertsTopic"} {
			check(topic+" policy", at(res(topic+"Policy"), "Properties", "Topics"), []any{ref(topic)})
		}
		var cloudwatch bool
		for _, s := range at(res("AlertsTopicPolicy"), "Properties", "PolicyDocument", "Statement").([]any) {
			cloudwatch = cloudwatch || at(s, "Effect") == "Allow" && at(s, "Principal", "Service") == "cloudwatch.amazonaws.com" &&
				at(s, "Action") == "sns:Publish" && jsonEqual(at(s, "Resource"), ref("AlertsTopic"))
		}
		if !cloudwatch {
			t.Error("the alerts topic's policy does not let CloudWatch alarms publish")
		}
	})

	t.Run("worker policy", func(t *testing.T) {
		p := res("WorkerPolicy")
		check("policy roles", at(p, "Properties", "Roles"), []any{ref("WorkerRole")})
		for _, s := range at(p, "Properties", "PolicyDocument", "Statement").([]any) {
			for _, a := range strs(at(s, "Action")) {
				if strings.Contains(a, "*") {
					t.Errorf("statement %v allows a wildcard action %s", at(s, "Sid"), a)
				}
			}
			// A resource is a reference or a Sub of one; none is "*".
			if r := at(s, "Resource"); r == nil || slices.Contains(strs(r), "*") {
				t.Errorf("statement %v has the resource %v", at(s, "Sid"), r)
			}
		}
	})

	t.Run("service", func(t *testing.T) {
		for _, name := range []string{"Cluster", "LogGroup", "ExecutionRole", "TaskDefinition", "Service"} {
			check(name+" condition", at(res(name), "Condition"), "RunService")
		}
		td := res("TaskDefinition")
		check("task role", at(td, "Properties", "TaskRoleArn"), getAtt("WorkerRole", "Arn"))
		check("launch type", at(res("Service"), "Properties", "LaunchType"), "FARGATE")
		check("one stream at a time", at(res("Service"), "Properties", "DeploymentConfiguration", "MaximumPercent"), 100.0)
		check("image", at(td, "Properties", "ContainerDefinitions", "0", "Image"), ref("ServiceImage"))
		check("logs", at(td, "Properties", "ContainerDefinitions", "0", "LogConfiguration", "Options", "awslogs-group"), ref("LogGroup"))
		// The task runs what StreamCommand says, word for word.
		var words []string
		for _, w := range at(td, "Properties", "ContainerDefinitions", "0", "Command").([]any) {
			switch w := w.(type) {
			case string:
				words = append(words, w)
			case map[string]any:
				if name, ok := w["Ref"].(string); ok {
					words = append(words, "${"+name+"}")
				} else if sub, ok := at(w, "Fn::Sub", "0").(string); ok {
					words = append(words, sub)
				} else if list, ok := at(w, "Fn::Join", "1", "Ref").(string); ok && at(w, "Fn::Join", "0") == "," {
					words = append(words, "${"+list+"}")
				}
			}
		}
		command, _ := at(tmpl, "Outputs", "StreamCommand", "Value", "Fn::Sub", "0").(string)
		// ${Sources} is " --source-role " and PayerSources joined, or
		// nothing; the task passes the joined list, empty or not.
		command = strings.Replace(command, "${Sources}", " --source-role ${PayerSources}", 1)
		if got, want := "curpipe "+strings.Join(words, " "), command; got != want {
			t.Errorf("the task's command\n  %s\nis not StreamCommand\n  %s", got, want)
		}
		if at(tmpl, "Rules", "ServiceNeedsSubnets") == nil {
			t.Error("no rule requires subnets for a service")
		}
	})

	t.Run("other payers deliver", func(t *testing.T) {
		var found bool
		for _, st := range at(res("BillingBucketPolicy"), "Properties", "PolicyDocument", "Statement").([]any) {
			cond, _ := at(st, "Fn::If").([]any)
			if len(cond) != 3 || cond[0] != "HasPayers" {
				continue
			}
			found = true
			check("payer statement principal", at(cond[1], "Principal"), map[string]any{"Service": "bcm-data-exports.amazonaws.com"})
			check("payer statement accounts", at(cond[1], "Condition", "StringEquals", "aws:SourceAccount"), ref("PayerAccountIds"))
			check("payer statement otherwise", cond[2], ref("AWS::NoValue"))
		}
		if !found {
			t.Error("the billing bucket's policy has no statement for PayerAccountIds")
		}
	})

	t.Run("outputs", func(t *testing.T) {
		for _, k := range wantOutputs {
			if at(tmpl, "Outputs", k, "Value") == nil {
				t.Errorf("no output %s", k)
			}
		}
	})
}

// TestTemplatePayerSources checks what the template adds for payers that
// keep their exports in their own buckets, which moto's single account
// cannot exercise: the rule taking their forwarded events, the bus policy
// letting them forward, and the workers' leave to assume their roles.
func TestTemplatePayerSources(t *testing.T) {
	tmpl := loadTemplateFile(t, templateFile)
	check := func(what string, got, want any) {
		t.Helper()
		if !jsonEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: %s, want %s", what, g, w)
		}
	}
	rule := at(tmpl, "Resources", "PayerRule")
	check("PayerRule condition", at(rule, "Condition"), "HasPayerSources")
	check("PayerRule bus", at(rule, "Properties", "EventBusName"), nil) // the default bus
	pattern := at(rule, "Properties", "EventPattern")
	check("PayerRule source", at(pattern, "source"), []any{"aws.s3"})
	check("PayerRule accounts", at(pattern, "account"), ref("PayerAccountIds"))
	check("PayerRule buckets", at(pattern, "detail", "bucket", "name"), []any{map[string]any{"anything-but": ref("BillingBucketName")}})
	check("PayerRule keys", at(pattern, "detail", "object", "key"), []any{map[string]any{"prefix": ref("ExportPrefix")}})
	check("PayerRule target", at(rule, "Properties", "Targets", "0", "Arn"), getAtt("Queue", "Arn"))
	check("PayerRule target DLQ", at(rule, "Properties", "Targets", "0", "DeadLetterConfig", "Arn"), getAtt("EventsDlq", "Arn"))

	bus := at(tmpl, "Resources", "PayerEventsPolicy")
	check("PayerEventsPolicy condition", at(bus, "Condition"), "HasPayerSources")
	check("PayerEventsPolicy principal", at(bus, "Properties", "Statement", "Principal"), map[string]any{"AWS": ref("PayerAccountIds")})
	check("PayerEventsPolicy action", at(bus, "Properties", "Statement", "Action"), "events:PutEvents")

	policy := at(tmpl, "Resources", "PayerReadRolesPolicy")
	check("PayerReadRolesPolicy condition", at(policy, "Condition"), "HasPayerSources")
	check("PayerReadRolesPolicy roles", at(policy, "Properties", "Roles"), []any{ref("WorkerRole")})
	stmts, _ := at(policy, "Properties", "PolicyDocument", "Statement").([]any)
	if len(stmts) != 1 {
		t.Fatalf("PayerReadRolesPolicy has %d statements, want 1", len(stmts))
	}
	check("AssumePayerReadRoles action", at(stmts[0], "Action"), "sts:AssumeRole")
	check("AssumePayerReadRoles resource", at(stmts[0], "Resource"), map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/curpipe-source-read*"})
	check("AssumePayerReadRoles accounts", at(stmts[0], "Condition"), map[string]any{"StringEquals": map[string]any{"aws:ResourceAccount": ref("PayerAccountIds")}})

	// payer-bucket.yaml names its role so that the policy above matches
	// it, and trusts only the principal it is given.
	payer := loadTemplateFile(t, "payer-bucket.yaml")
	pattern2, _ := at(payer, "Parameters", "ReadRoleName", "AllowedPattern").(string)
	if !strings.HasPrefix(pattern2, "^curpipe-source-read") {
		t.Errorf("payer-bucket.yaml's ReadRoleName pattern %q does not hold the names to curpipe-source-read*", pattern2)
	}
	check("read role trust", at(payer, "Resources", "ReadRole", "Properties", "AssumeRolePolicyDocument", "Statement", "0", "Principal"),
		map[string]any{"AWS": ref("CentralWorkerArn")})
	check("forward target", at(payer, "Resources", "ForwardRule", "Properties", "Targets", "0", "Arn"),
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${CentralAccountId}:event-bus/default"})
	check("forward bus", at(payer, "Resources", "ForwardRule", "Properties", "EventBusName"), nil)
}
