package snsio

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

const (
	// MaxSubjectLen is the longest subject SNS accepts, in characters.
	MaxSubjectLen = 100
	// MaxMessageBytes is SNS's limit on a message: the body plus each
	// attribute's name, data type and value.
	MaxMessageBytes = 256 << 10
	// maxAttrNameLen is SNS's limit on a message attribute's name.
	maxAttrNameLen = 256
	attrType       = "String"
)

var (
	// ErrTooLarge is returned by Publish for a message over MaxMessageBytes.
	ErrTooLarge = errors.New("message too large for SNS")
	// ErrInvalid is returned by Publish for a message SNS would refuse: an
	// empty or non-UTF-8 body, a bad attribute, or a FIFO topic's missing
	// GroupID or DedupID.
	ErrInvalid = errors.New("invalid SNS message")
)

// input checks the message against SNS's rules and builds the request.
func (p *Publisher) input(m Message) (*sns.PublishInput, error) {
	if len(m.Body) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrInvalid)
	}
	if !utf8.Valid(m.Body) {
		return nil, fmt.Errorf("%w: body is not valid UTF-8", ErrInvalid)
	}
	size := len(m.Body)
	var attrs map[string]types.MessageAttributeValue
	if len(m.Attributes) > 0 {
		attrs = make(map[string]types.MessageAttributeValue, len(m.Attributes))
	}
	for name, value := range m.Attributes {
		if err := checkAttribute(name, value); err != nil {
			return nil, err
		}
		size += len(name) + len(attrType) + len(value)
		attrs[name] = types.MessageAttributeValue{
			DataType:    aws.String(attrType),
			StringValue: aws.String(value),
		}
	}
	if size > MaxMessageBytes {
		return nil, fmt.Errorf("%w: %d bytes (body %d, attributes %d), over SNS's limit of %d",
			ErrTooLarge, size, len(m.Body), size-len(m.Body), MaxMessageBytes)
	}
	in := &sns.PublishInput{
		TopicArn:          aws.String(p.topicARN),
		Message:           aws.String(string(m.Body)),
		MessageAttributes: attrs,
	}
	if s := CleanSubject(m.Subject); s != "" {
		in.Subject = aws.String(s)
	}
	if p.fifo {
		if m.GroupID == "" || m.DedupID == "" {
			return nil, fmt.Errorf("%w: a FIFO topic needs both GroupID and DedupID (got %q and %q)",
				ErrInvalid, m.GroupID, m.DedupID)
		}
		in.MessageGroupId = aws.String(m.GroupID)
		in.MessageDeduplicationId = aws.String(m.DedupID)
	}
	return in, nil
}

// checkAttribute applies SNS's naming rules for message attributes, so a
// bad name fails here with its reason instead of as a terse 400.
func checkAttribute(name, value string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: attribute %q: %s", ErrInvalid, name, why)
	}
	switch {
	case name == "":
		return bad("empty name")
	case len(name) > maxAttrNameLen:
		return bad(fmt.Sprintf("name longer than %d characters", maxAttrNameLen))
	case strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, ".."):
		return bad("name starts or ends with '.' or has '..'")
	case hasPrefixFold(name, "AWS.") || hasPrefixFold(name, "Amazon."):
		return bad("names starting with AWS. or Amazon. are reserved")
	case value == "":
		return bad("empty value (SNS refuses empty String attributes)")
	case !utf8.ValidString(value):
		return bad("value is not valid UTF-8")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return bad(fmt.Sprintf("name has %q; allowed are letters, digits, '_', '-' and '.'", r))
		}
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// CleanSubject returns the subject as Publish sends it: printable ASCII
// only (control characters such as newlines become spaces, any other
// character '?'), runs of spaces collapsed, ends trimmed, and at most
// MaxSubjectLen characters, ending in "..." when it was cut.
func CleanSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return ' '
		case r > 0x7e:
			return '?'
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > MaxSubjectLen {
		s = strings.TrimRight(s[:MaxSubjectLen-3], " ") + "..."
	}
	return s
}
