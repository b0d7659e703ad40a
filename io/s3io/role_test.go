package s3io

import "testing"

func TestParseSourceRole(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    SourceRole
		wantErr bool
	}{
		{in: "s3://payer-a/cur/=arn:aws:iam::111111111111:role/curpipe-read", want: SourceRole{Prefix: "s3://payer-a/cur/", Role: "arn:aws:iam::111111111111:role/curpipe-read"}},
		{in: "s3://payer-a=arn:aws-cn:iam::111111111111:role/x", want: SourceRole{Prefix: "s3://payer-a/", Role: "arn:aws-cn:iam::111111111111:role/x"}},
		{in: "s3://payer-a/cur/", wantErr: true},                              // no role
		{in: "/data/cur=arn:aws:iam::111111111111:role/x", wantErr: true},     // not S3
		{in: "s3://payer-a/=arn:aws:iam::111111111111:user/x", wantErr: true}, // a user, not a role
		{in: "s3:///cur/=arn:aws:iam::111111111111:role/x", wantErr: true},    // no bucket
		{in: "s3://payer-a/=111111111111", wantErr: true},                     // not an ARN
	} {
		got, err := ParseSourceRole(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseSourceRole(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRoleFor(t *testing.T) {
	roles := SourceRoles{
		{Prefix: "s3://payer-a/", Role: "arn:aws:iam::111111111111:role/a"},
		{Prefix: "s3://payer-a/cur/special/", Role: "arn:aws:iam::111111111111:role/special"},
		{Prefix: "s3://payer-b/cur/", Role: "arn:aws:iam::222222222222:role/b"},
	}
	for _, tc := range []struct{ url, want string }{
		{"s3://payer-a/cur/r/1.csv.gz", "arn:aws:iam::111111111111:role/a"},
		{"s3://payer-a/cur/special/1.csv.gz", "arn:aws:iam::111111111111:role/special"}, // the longest prefix wins
		{"s3://payer-b/cur/r/1.parquet", "arn:aws:iam::222222222222:role/b"},
		{"s3://payer-b/other/1.parquet", ""}, // outside the prefix: the process's credentials
		{"s3://payer-ab/cur/1.csv", ""},      // another bucket whose name starts alike
		{"/data/cur/1.csv", ""},
	} {
		if got := roles.RoleFor(tc.url); got != tc.want {
			t.Errorf("RoleFor(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
