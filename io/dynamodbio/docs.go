package dynamodbio

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Documents are small records other stages keep beside the totals (the
// cost anomalies), each a string under a name, in a collection:
//
//	doc  pk "DOC#<collection>"  sk "<name>"  body (S)
//
// They live apart from the day and report items, which never start with
// "DOC#".
const (
	docPrefix = "DOC#"
	attrBody  = "body"
)

// PutDocs writes the documents of a collection, by name, each replacing
// the one of its name. A document of 400 KB or more is refused by
// DynamoDB.
func (t *Table) PutDocs(ctx context.Context, collection string, docs map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		item := key(docPrefix+collection, name)
		item[attrBody] = str(docs[name])
		err := t.do(ctx, "PutItem", func(ctx context.Context) error {
			_, err := t.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: item})
			return err
		})
		if err != nil {
			return fmt.Errorf("dynamodbio: put %s%s %s: %w", docPrefix, collection, name, err)
		}
	}
	return nil
}

// Docs reads every document of a collection, by name.
func (t *Table) Docs(ctx context.Context, collection string) (map[string]string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(t.name),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": keyPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(docPrefix + collection)},
		ConsistentRead:            aws.Bool(true),
	}
	if t.pageLimit > 0 {
		in.Limit = aws.Int32(t.pageLimit)
	}
	out := map[string]string{}
	for {
		var page *dynamodb.QueryOutput
		err := t.do(ctx, "Query", func(ctx context.Context) error {
			var err error
			page, err = t.api.Query(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("dynamodbio: read %s%s: %w", docPrefix, collection, err)
		}
		for _, it := range page.Items {
			out[getS(it, keySK)] = getS(it, attrBody)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// DeleteDocs removes documents of a collection by name; a name not there
// is no error.
func (t *Table) DeleteDocs(ctx context.Context, collection string, names []string) error {
	for _, name := range names {
		err := t.do(ctx, "DeleteItem", func(ctx context.Context) error {
			_, err := t.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.name), Key: key(docPrefix+collection, name)})
			return err
		})
		if err != nil {
			return fmt.Errorf("dynamodbio: delete %s%s %s: %w", docPrefix, collection, name, err)
		}
	}
	return nil
}
