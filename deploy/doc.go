// Package deploy holds curpipe's deployment templates and their tests; it
// has no code of its own.
//
// curpipe.yaml is a CloudFormation template of the stream's AWS resources:
// the queue S3's EventBridge events reach through a rule on the default
// bus, its dead-letter queues and alarms, the totals table, the
// notification topics, and a least-privilege role for the workers. Its
// tests deploy it to moto's CloudFormation and run curpipe stream against
// the stack (curpipe_test.go), check the worker policy's reach with moto's
// IAM enforcement (policy_test.go), and check statically what moto does
// not create (template_test.go). deploy/README.md tells how to deploy it.
package deploy
