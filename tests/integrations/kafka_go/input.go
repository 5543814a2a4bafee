// A stand-in for the two files of github.com/segmentio/kafka-go the
// integration advises (writer.go, reader.go), with the members the advice
// uses; woven as that package and type-checked against the real
// kafka-go/protocol and OpenTelemetry modules.
package kafka

import (
	"context"
	"errors"

	"github.com/segmentio/kafka-go/protocol"
)

type Header = protocol.Header

type Message struct {
	Topic     string
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   []Header
}

func (msg Message) totalSize() int32 { return int32(len(msg.Key) + len(msg.Value)) }

type Writer struct {
	Topic string
}

func (w *Writer) batchBytes() int64 { return 1048576 }

// WriteMessages writes a batch of messages.
func (w *Writer) WriteMessages(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return errors.New("not connected")
}

type ReaderConfig struct {
	GroupID string
}

type Reader struct {
	config ReaderConfig
}

func (r *Reader) Config() ReaderConfig { return r.config }

// FetchMessage reads the next message.
func (r *Reader) FetchMessage(ctx context.Context) (Message, error) {
	return Message{}, ctx.Err()
}

// ReadMessage reads and commits the next message.
func (r *Reader) ReadMessage(ctx context.Context) (Message, error) {
	return r.FetchMessage(ctx)
}
