package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// region is an AWS region as CUR names it in its product columns.
type region struct {
	code, location, prefix string // prefix starts usage types; "" for us-east-1
}

var regions = []region{
	{"us-east-1", "US East (N. Virginia)", ""},
	{"us-east-2", "US East (Ohio)", "USE2-"},
	{"us-west-2", "US West (Oregon)", "USW2-"},
	{"eu-west-1", "EU (Ireland)", "EUW1-"},
	{"eu-central-1", "EU (Frankfurt)", "EUC1-"},
	{"ap-northeast-1", "Asia Pacific (Tokyo)", "APN1-"},
	{"ap-southeast-2", "Asia Pacific (Sydney)", "APS2-"},
	{"ca-central-1", "Canada (Central)", "CAN1-"},
}

// usageDef is one kind of usage of a service: its usage type (without the
// region prefix), operation, pricing unit, product family and on-demand rate.
type usageDef struct {
	usageType, operation, unit, family string
	rate                               float64
}

// serviceDef is a product code and the usages it bills.
type serviceDef struct {
	code, name string
	weight     int    // share of usage rows
	resource   string // resource id form: "i-", "vol-", "arn:...:%s", "bucket", ""
	lo, hi     int    // decimal exponents bounding a usage row's cost
	usages     []usageDef
}

// instanceTypes are EC2 sizes: name, vCPU, memory.
var instanceTypes = [][3]string{
	{"t3.micro", "2", "1 GiB"}, {"t3.medium", "2", "4 GiB"}, {"m5.large", "2", "8 GiB"},
	{"m5.xlarge", "4", "16 GiB"}, {"c5.2xlarge", "8", "16 GiB"}, {"r5.4xlarge", "16", "128 GiB"},
	{"m6g.large", "2", "8 GiB"}, {"c6i.8xlarge", "32", "64 GiB"}, {"g4dn.xlarge", "4", "16 GiB"},
}

var serviceDefs = []serviceDef{
	{"AmazonEC2", "Amazon Elastic Compute Cloud", 30, "i-", -6, 1, nil}, // usages filled from instanceTypes
	{"AmazonS3", "Amazon Simple Storage Service", 12, "bucket", -9, 0, []usageDef{
		{"TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "Storage", 0.023},
		{"Requests-Tier1", "PutObject", "Requests", "API Request", 0.000005},
		{"Requests-Tier2", "GetObject", "Requests", "API Request", 0.0000004},
		{"DataTransfer-Out-Bytes", "GetObjectForRepl", "GB", "Data Transfer", 0.09},
	}},
	{"AmazonRDS", "Amazon Relational Database Service", 8, "arn:aws:rds:%s:%s:db:%s", -4, 1, []usageDef{
		{"InstanceUsage:db.r5.large", "CreateDBInstance:0014", "Hrs", "Database Instance", 0.25},
		{"RDS:GP2-Storage", "CreateDBInstance:0014", "GB-Mo", "Database Storage", 0.115},
	}},
	{"AWSLambda", "AWS Lambda", 6, "arn:aws:lambda:%s:%s:function:%s", -10, -2, []usageDef{
		{"Lambda-GB-Second", "Invoke", "Lambda-GB-Second", "Serverless", 0.0000166667},
		{"Request", "Invoke", "Requests", "Serverless", 0.0000002},
	}},
	{"AmazonECS", "Amazon Elastic Container Service", 3, "arn:aws:ecs:%s:%s:task/%s", -6, -1, []usageDef{
		{"Fargate-vCPU-Hours:perCPU", "FargateTask", "hours", "Compute", 0.04048},
		{"Fargate-GB-Hours", "FargateTask", "hours", "Compute", 0.004445},
	}},
	{"AmazonDynamoDB", "Amazon DynamoDB", 4, "arn:aws:dynamodb:%s:%s:table/%s", -9, -1, []usageDef{
		{"ReadRequestUnits", "PayPerRequestThroughput", "ReadRequestUnits", "Amazon DynamoDB PayPerRequest Throughput", 0.00000025},
		{"TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "Database Storage", 0.25},
	}},
	{"AmazonCloudWatch", "AmazonCloudWatch", 4, "arn:aws:logs:%s:%s:log-group:%s", -9, -2, []usageDef{
		{"DataProcessing-Bytes", "PutLogEvents", "GB", "Data Payload", 0.5},
		{"CW:MetricMonitorUsage", "MetricStorage", "Metrics", "Metric", 0.3},
	}},
	{"AWSDataTransfer", "AWS Data Transfer", 5, "", -9, 0, []usageDef{
		{"DataTransfer-Out-Bytes", "", "GB", "Data Transfer", 0.09},
		{"DataTransfer-Regional-Bytes", "InterZone-In", "GB", "Data Transfer", 0.01},
	}},
	{"AmazonVPC", "Amazon Virtual Private Cloud", 3, "arn:aws:ec2:%s:%s:natgateway/%s", -6, -1, []usageDef{
		{"NatGateway-Hours", "NatGateway", "Hrs", "NAT Gateway", 0.045},
		{"PublicIPv4:InUseAddress", "AssociateAddressVPC", "Hrs", "VPC Public IPv4 Address", 0.005},
	}},
	{"AmazonEKS", "Amazon Elastic Container Service for Kubernetes", 2, "arn:aws:eks:%s:%s:cluster/%s", -2, -1, []usageDef{
		{"AmazonEKS-Hours:perCluster", "CreateOperation", "Hours", "Compute", 0.1},
	}},
	{"AmazonElastiCache", "Amazon ElastiCache", 2, "arn:aws:elasticache:%s:%s:cluster:%s", -3, 0, []usageDef{
		{"NodeUsage:cache.r6g.large", "CreateCacheCluster:0002", "Hrs", "Cache Instance", 0.206},
	}},
	{"AmazonRedshift", "Amazon Redshift", 1, "arn:aws:redshift:%s:%s:cluster:%s", -2, 1, []usageDef{
		{"Node:ra3.xlplus", "RunComputeNode:0001", "Hrs", "Compute Instance", 1.086},
	}},
	{"AmazonSageMaker", "Amazon SageMaker", 1, "arn:aws:sagemaker:%s:%s:notebook-instance/%s", -3, 0, []usageDef{
		{"Notebk:ml.t3.medium", "RunInstance", "Hrs", "ML Instance", 0.05},
	}},
	{"AmazonSNS", "Amazon Simple Notification Service", 1, "arn:aws:sns:%s:%s:%s", -10, -4, []usageDef{
		{"Requests-Tier1", "Publish", "Requests", "API Request", 0.0000005},
	}},
	{"AWSQueueService", "Amazon Simple Queue Service", 2, "arn:aws:sqs:%s:%s:%s", -10, -4, []usageDef{
		{"Requests-RBP", "ReceiveMessage", "Requests", "API Request", 0.0000004},
	}},
	{"awskms", "AWS Key Management Service", 1, "arn:aws:kms:%s:%s:key/%s", -8, -3, []usageDef{
		{"KMS-Requests", "Decrypt", "Requests", "Encryption Key", 0.000003},
	}},
	{"AmazonRoute53", "Amazon Route 53", 1, "arn:aws:route53:::hostedzone/%[3]s", -8, -1, []usageDef{
		{"DNS-Queries", "Query", "Queries", "DNS Query", 0.0000004},
	}},
	{"AmazonCloudFront", "Amazon CloudFront", 2, "arn:aws:cloudfront::%[2]s:distribution/%[3]s", -8, -1, []usageDef{
		{"DataTransfer-Out-Bytes", "GET", "GB", "Data Transfer", 0.085},
	}},
	{"AWSGlue", "AWS Glue", 1, "arn:aws:glue:%s:%s:job/%s", -4, 0, []usageDef{
		{"ETL-DPU-Hour", "Jobrun", "DPU-Hour", "AWS Glue", 0.44},
	}},
	{"AmazonAthena", "Amazon Athena", 1, "arn:aws:athena:%s:%s:workgroup/%s", -6, -1, []usageDef{
		{"DataScannedInTB", "RunQuery", "Terabytes", "Athena Queries", 5},
	}},
	{"AmazonKinesis", "Amazon Kinesis", 1, "arn:aws:kinesis:%s:%s:stream/%s", -5, -1, []usageDef{
		{"Storage-ShardHour", "shardHourStorage", "ShardHour", "Kinesis Streams", 0.015},
	}},
	{"AWSSecretsManager", "AWS Secrets Manager", 1, "arn:aws:secretsmanager:%s:%s:secret:%s", -6, -2, []usageDef{
		{"AWSSecretsManager-Secrets", "", "Secrets", "Secret", 0.4},
	}},
	{"AmazonEFS", "Amazon Elastic File System", 1, "arn:aws:elasticfilesystem:%s:%s:file-system/%s", -6, -1, []usageDef{
		{"TimedStorage-ByteHrs", "", "GB-Mo", "Storage", 0.3},
	}},
	{"AmazonES", "Amazon OpenSearch Service", 1, "arn:aws:es:%s:%s:domain/%s", -3, 0, []usageDef{
		{"ESInstance:r6g.large", "ESDomain", "Hrs", "Amazon OpenSearch Service Instance", 0.167},
	}},
	{"AWSConfig", "AWS Config", 1, "", -5, -2, []usageDef{
		{"ConfigurationItemRecorded", "", "ConfigurationItemRecorded", "Management Tools - AWS Config", 0.003},
	}},
	{"AWSCloudTrail", "AWS CloudTrail", 1, "arn:aws:cloudtrail:%s:%s:trail/%s", -7, -3, []usageDef{
		{"PaidEventsRecorded", "None", "Events", "Management Tools - AWS CloudTrail", 0.00001},
	}},
	{"AmazonGuardDuty", "Amazon GuardDuty", 1, "", -6, -2, []usageDef{
		{"PaidEventsAnalyzed", "", "Events", "Security Services", 0.000004},
	}},
	{"AmazonECR", "Amazon EC2 Container Registry (ECR)", 1, "arn:aws:ecr:%s:%s:repository/%s", -7, -3, []usageDef{
		{"TimedStorage-ByteHrs", "", "GB-Mo", "EC2 Container Registry", 0.1},
	}},
	{"AmazonApiGateway", "Amazon API Gateway", 1, "arn:aws:apigateway:%[1]s::/restapis/%[3]s", -8, -2, []usageDef{
		{"ApiGatewayRequest", "ApiGatewayRequest", "Requests", "API Calls", 0.0000035},
	}},
	{"AWSELB", "Elastic Load Balancing", 2, "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s", -4, -1, []usageDef{
		{"LoadBalancerUsage", "LoadBalancing:Application", "Hrs", "Load Balancer-Application", 0.0225},
	}},
}

// The services that bill commitments and support rather than usage.
var (
	spService      = &serviceDef{code: "ComputeSavingsPlans", name: "Savings Plans for AWS Compute usage"}
	supportService = &serviceDef{code: "AWSSupportBusiness", name: "AWS Support (Business)"}
)

// profile is one product a line item can name: a service's usage in a
// region, with its product/* attributes as CUR lists them.
type profile struct {
	svc       *serviceDef
	region    region
	usageType string // with the region prefix
	operation string
	unit      string
	rate      float64
	desc      string // lineItem/LineItemDescription of on-demand usage
	product   [len(productNames)]string
	sku       string
	kvs       []kv // CUR 2.0's product map, sorted by key
	reserved  bool // can be covered by a reservation
	covered   bool // can be covered by a Savings Plan
}

// productNames are the product/* columns, in CUR 1.0's order.
var productNames = [...]string{
	"ProductName", "availability", "clockSpeed", "currentGeneration", "databaseEngine",
	"dedicatedEbsThroughput", "deploymentOption", "description", "durability", "ecu",
	"enhancedNetworkingSupported", "feeCode", "feeDescription", "fromLocation", "fromLocationType",
	"fromRegionCode", "group", "groupDescription", "instanceFamily", "instanceType",
	"licenseModel", "location", "locationType", "memory", "networkPerformance",
	"normalizationSizeFactor", "operatingSystem", "operation", "physicalProcessor", "preInstalledSw",
	"processorArchitecture", "processorFeatures", "productFamily", "region", "regionCode",
	"servicecode", "servicename", "sku", "storage", "storageClass",
	"storageMedia", "tenancy", "toLocation", "toLocationType", "toRegionCode",
	"transferType", "usagetype", "vcpu", "volumeApiName", "volumeType",
}

// productIndex maps a product attribute to its slot in profile.product.
var productIndex = func() map[string]int {
	m := make(map[string]int, len(productNames))
	for i, n := range productNames {
		m[n] = i
	}
	return m
}()

func (p *profile) set(attr, v string) { p.product[productIndex[attr]] = v }

// newProfile fills the attributes every product has.
func newProfile(r *rand.Rand, s *serviceDef, reg region, u usageDef) *profile {
	p := &profile{svc: s, region: reg, usageType: reg.prefix + u.usageType, operation: u.operation,
		unit: u.unit, rate: u.rate, sku: randomSKU(r)}
	p.desc = fmt.Sprintf("$%s per %s for %s in %s", trimRate(u.rate), u.unit, u.usageType, reg.location)
	p.set("ProductName", s.name)
	p.set("location", reg.location)
	p.set("locationType", "AWS Region")
	p.set("operation", u.operation)
	p.set("productFamily", u.family)
	p.set("region", reg.code)
	p.set("regionCode", reg.code)
	p.set("servicecode", s.code)
	p.set("servicename", s.name)
	p.set("sku", p.sku)
	p.set("usagetype", p.usageType)
	return p
}

func trimRate(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.10f", f), "0"), ".")
}

// buildProfiles makes every product of the catalogue in every region.
func buildProfiles(r *rand.Rand) (byService [][]*profile, all []*profile) {
	byService = make([][]*profile, len(serviceDefs))
	for si := range serviceDefs {
		s := &serviceDefs[si]
		for _, reg := range regions {
			if s.code == "AmazonEC2" {
				for _, it := range instanceTypes {
					for _, os := range []string{"Linux", "Windows"} {
						u := usageDef{"BoxUsage:" + it[0], "RunInstances", "Hrs", "Compute Instance", 0.01 + float64(r.IntN(300))/100}
						if os == "Windows" {
							u.operation = "RunInstances:0002"
						}
						p := newProfile(r, s, reg, u)
						p.desc = fmt.Sprintf("$%s per On Demand %s %s Instance Hour", trimRate(u.rate), os, it[0])
						fam, _, _ := strings.Cut(it[0], ".")
						p.set("instanceType", it[0])
						p.set("instanceFamily", strings.TrimRight(fam, "0123456789dgin"))
						p.set("vcpu", it[1])
						p.set("memory", it[2])
						p.set("operatingSystem", os)
						p.set("tenancy", "Shared")
						p.set("licenseModel", "No License required")
						p.set("preInstalledSw", "NA")
						p.set("currentGeneration", "Yes")
						p.set("networkPerformance", "Up to 10 Gigabit")
						p.set("physicalProcessor", "Intel Xeon Platinum 8175")
						p.set("processorArchitecture", "64-bit")
						p.set("processorFeatures", "Intel AVX, Intel AVX2, Intel AVX512, Intel Turbo")
						p.set("clockSpeed", "3.1 GHz")
						p.set("normalizationSizeFactor", "4")
						p.set("storage", "EBS only")
						p.reserved, p.covered = true, true
						byService[si] = append(byService[si], p)
					}
				}
				for _, v := range []string{"gp3", "io2"} {
					p := newProfile(r, s, reg, usageDef{"EBS:VolumeUsage." + v, "CreateVolume-" + v, "GB-Mo", "Storage", 0.08})
					p.set("volumeApiName", v)
					p.set("volumeType", "General Purpose")
					p.set("storageMedia", "SSD-backed")
					byService[si] = append(byService[si], p)
				}
				continue
			}
			for _, u := range s.usages {
				p := newProfile(r, s, reg, u)
				switch u.family {
				case "Data Transfer":
					to := regions[r.IntN(len(regions))]
					p.set("fromLocation", reg.location)
					p.set("fromLocationType", "AWS Region")
					p.set("fromRegionCode", reg.code)
					p.set("toLocation", to.location)
					p.set("toLocationType", "AWS Region")
					p.set("toRegionCode", to.code)
					p.set("transferType", "InterRegion Outbound")
				case "Storage", "Database Storage":
					p.set("storageClass", "General Purpose")
					p.set("durability", "99.999999999%")
					p.set("availability", "99.99%")
				}
				p.reserved = strings.Contains(u.family, "Instance")
				p.covered = s.code == "AWSLambda" || s.code == "AmazonECS"
				byService[si] = append(byService[si], p)
			}
		}
		all = append(all, byService[si]...)
	}
	return byService, all
}

const skuChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randomSKU(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = skuChars[r.IntN(len(skuChars))]
	}
	return string(b[:])
}
