// Package queue holds the stream's stages at its queue: Read, an
// unbounded source of an SQS queue's messages, and Ack, which deletes them
// once their work is committed. They run io/sqsio's client, which knows
// nothing of Beam; the types that cross stages (sqsio.Delivery and
// sqsio.Receipt) get their coders here.
package queue

import (
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/rowcoder"
)

func init() {
	rowcoder.Register(encodeDelivery, decodeDelivery)
	rowcoder.Register(encodeReceipt, decodeReceipt)
}

var (
	deliveryCodec rowcoder.Codec[sqsio.Delivery]
	receiptCodec  rowcoder.Codec[sqsio.Receipt]
)

func encodeDelivery(v sqsio.Delivery) ([]byte, error) { return deliveryCodec.Encode(v) }
func decodeDelivery(b []byte) (sqsio.Delivery, error) { return deliveryCodec.Decode(b) }
func encodeReceipt(v sqsio.Receipt) ([]byte, error)   { return receiptCodec.Encode(v) }
func decodeReceipt(b []byte) (sqsio.Receipt, error)   { return receiptCodec.Decode(b) }
