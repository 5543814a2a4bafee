// Package fake runs the two services the program talks to on loopback, so
// the test needs no MongoDB server and no AWS account. Nothing here is
// instrumented: it holds no join point of the aspects the module uses.
package fake

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Mongo is a minimal MongoDB server speaking the wire protocol (OP_QUERY for
// the driver's first legacy `hello`, then OP_MSG), enough for the v2 driver
// to connect, insert and read through a cursor. It answers:
//
//   - hello / isMaster / ismaster: a standalone server, wire versions 0–21,
//     without topologyVersion (so the driver polls and never streams);
//   - ping, endSessions, killCursors: ok;
//   - insert: stores the documents (body array or `documents` sequence);
//   - find: top-level equality filter, batchSize honoured, a cursor id when
//     more documents remain;
//   - getMore: the next batch of that cursor.
//
// Any other command fails with CommandNotFound (code 59), as a real server
// does for an unknown name. Data lives in memory for the life of the process.
type Mongo struct {
	ln      net.Listener
	mu      sync.Mutex
	colls   map[string][]bson.Raw // "db.coll" → documents, in insertion order
	cursors map[int64]cursor
	nextID  int64
	connID  int32
}

type cursor struct {
	ns   string
	rest []bson.Raw
}

const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013
)

// StartMongo listens on a free loopback port and serves in the background.
func StartMongo() (*Mongo, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &Mongo{ln: ln, colls: map[string][]bson.Raw{}, cursors: map[int64]cursor{}, nextID: 1000}
	go m.accept()
	return m, nil
}

// Addr is host:port.
func (m *Mongo) Addr() string { return m.ln.Addr().String() }

// Close stops accepting connections.
func (m *Mongo) Close() error { return m.ln.Close() }

func (m *Mongo) accept() {
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.mu.Lock()
		m.connID++
		id := m.connID
		m.mu.Unlock()
		go m.serve(conn, id)
	}
}

// serve answers one connection's messages until it closes.
func (m *Mongo) serve(conn net.Conn, connID int32) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		var header [16]byte
		if _, err := io.ReadFull(r, header[:]); err != nil {
			return
		}
		length := int32(binary.LittleEndian.Uint32(header[0:]))
		requestID := int32(binary.LittleEndian.Uint32(header[4:]))
		opCode := int32(binary.LittleEndian.Uint32(header[12:]))
		if length < 16 || length > 48_000_000 {
			return
		}
		body := make([]byte, length-16)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var reply []byte
		switch opCode {
		case opQuery:
			cmd, err := parseQuery(body)
			if err != nil {
				return
			}
			reply = replyMessage(requestID, m.command(cmd, nil, connID))
		case opMsg:
			cmd, seqs, err := parseMsg(body)
			if err != nil {
				return
			}
			reply = msgMessage(requestID, m.command(cmd, seqs, connID))
		default:
			return // OP_COMPRESSED and the removed opcodes: never negotiated
		}
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}

// parseQuery reads an OP_QUERY body: flags, collection name, skip, limit,
// then the query document (the command).
func parseQuery(b []byte) (bson.Raw, error) {
	if len(b) < 4 {
		return nil, errors.New("short OP_QUERY")
	}
	b = b[4:]
	i := 0
	for i < len(b) && b[i] != 0 {
		i++
	}
	if i+9 > len(b) {
		return nil, errors.New("short OP_QUERY")
	}
	return readDoc(b[i+9:])
}

// parseMsg reads an OP_MSG body: flags, then a kind-0 section (the command)
// and any kind-1 sections (document sequences, by identifier).
func parseMsg(b []byte) (bson.Raw, map[string][]bson.Raw, error) {
	if len(b) < 4 {
		return nil, nil, errors.New("short OP_MSG")
	}
	flags := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if flags&1 != 0 { // checksum present: drop the trailing CRC-32C
		if len(b) < 4 {
			return nil, nil, errors.New("short OP_MSG")
		}
		b = b[:len(b)-4]
	}
	var cmd bson.Raw
	seqs := map[string][]bson.Raw{}
	for len(b) > 0 {
		kind := b[0]
		b = b[1:]
		switch kind {
		case 0:
			doc, err := readDoc(b)
			if err != nil {
				return nil, nil, err
			}
			cmd, b = doc, b[len(doc):]
		case 1:
			if len(b) < 4 {
				return nil, nil, errors.New("short section")
			}
			size := int(binary.LittleEndian.Uint32(b))
			if size < 4 || size > len(b) {
				return nil, nil, errors.New("bad section size")
			}
			sec := b[4:size]
			b = b[size:]
			i := 0
			for i < len(sec) && sec[i] != 0 {
				i++
			}
			if i == len(sec) {
				return nil, nil, errors.New("bad section identifier")
			}
			name := string(sec[:i])
			for sec = sec[i+1:]; len(sec) > 0; {
				doc, err := readDoc(sec)
				if err != nil {
					return nil, nil, err
				}
				seqs[name] = append(seqs[name], doc)
				sec = sec[len(doc):]
			}
		default:
			return nil, nil, fmt.Errorf("unknown section kind %d", kind)
		}
	}
	if cmd == nil {
		return nil, nil, errors.New("OP_MSG without a body")
	}
	return cmd, seqs, nil
}

// readDoc returns the BSON document at the start of b.
func readDoc(b []byte) (bson.Raw, error) {
	if len(b) < 5 {
		return nil, errors.New("short document")
	}
	n := int(int32(binary.LittleEndian.Uint32(b)))
	if n < 5 || n > len(b) {
		return nil, errors.New("bad document length")
	}
	doc := bson.Raw(b[:n])
	return doc, doc.Validate()
}

func header(length, responseTo, opCode int32) []byte {
	h := make([]byte, 16)
	binary.LittleEndian.PutUint32(h[0:], uint32(length))
	binary.LittleEndian.PutUint32(h[4:], uint32(responseTo)+1_000_000)
	binary.LittleEndian.PutUint32(h[8:], uint32(responseTo))
	binary.LittleEndian.PutUint32(h[12:], uint32(opCode))
	return h
}

// replyMessage is an OP_REPLY carrying one document.
func replyMessage(responseTo int32, doc []byte) []byte {
	out := header(int32(16+20+len(doc)), responseTo, opReply)
	var fields [20]byte // flags, cursorID, startingFrom: 0; numberReturned: 1
	binary.LittleEndian.PutUint32(fields[16:], 1)
	return append(append(out, fields[:]...), doc...)
}

// msgMessage is an OP_MSG with flags 0 and one kind-0 section.
func msgMessage(responseTo int32, doc []byte) []byte {
	out := header(int32(16+4+1+len(doc)), responseTo, opMsg)
	out = append(out, 0, 0, 0, 0, 0)
	return append(out, doc...)
}

func mustMarshal(d bson.D) []byte {
	b, err := bson.Marshal(d)
	if err != nil {
		panic(err) // only ever given values bson can encode
	}
	return b
}

// command answers one command document.
func (m *Mongo) command(cmd bson.Raw, seqs map[string][]bson.Raw, connID int32) []byte {
	first, err := cmd.IndexErr(0)
	if err != nil {
		return failure(2, "BadValue", "empty command")
	}
	db, _ := cmd.Lookup("$db").StringValueOK()
	if db == "" {
		db = "admin" // OP_QUERY's `admin.$cmd`
	}
	switch name := first.Key(); name {
	case "hello", "isMaster", "ismaster":
		return mustMarshal(bson.D{
			{Key: "helloOk", Value: true},
			{Key: "isWritablePrimary", Value: true},
			{Key: "ismaster", Value: true},
			{Key: "maxBsonObjectSize", Value: int32(16 * 1024 * 1024)},
			{Key: "maxMessageSizeBytes", Value: int32(48_000_000)},
			{Key: "maxWriteBatchSize", Value: int32(100_000)},
			{Key: "localTime", Value: bson.NewDateTimeFromTime(time.Now())},
			{Key: "logicalSessionTimeoutMinutes", Value: int32(30)},
			{Key: "connectionId", Value: connID},
			{Key: "minWireVersion", Value: int32(0)},
			{Key: "maxWireVersion", Value: int32(21)},
			{Key: "readOnly", Value: false},
			{Key: "ok", Value: 1.0},
		})
	case "ping", "endSessions", "killCursors":
		return mustMarshal(bson.D{{Key: "ok", Value: 1.0}})
	case "insert":
		coll, _ := first.Value().StringValueOK()
		docs := seqs["documents"]
		if arr, ok := cmd.Lookup("documents").ArrayOK(); ok {
			values, _ := arr.Values()
			for _, v := range values {
				if d, ok := v.DocumentOK(); ok {
					docs = append(docs, d)
				}
			}
		}
		m.mu.Lock()
		ns := db + "." + coll
		for _, d := range docs {
			m.colls[ns] = append(m.colls[ns], append(bson.Raw(nil), d...))
		}
		m.mu.Unlock()
		return mustMarshal(bson.D{{Key: "n", Value: int32(len(docs))}, {Key: "ok", Value: 1.0}})
	case "find":
		coll, _ := first.Value().StringValueOK()
		ns := db + "." + coll
		filter, _ := cmd.Lookup("filter").DocumentOK()
		m.mu.Lock()
		var found []bson.Raw
		for _, d := range m.colls[ns] {
			if matches(d, filter) {
				found = append(found, d)
			}
		}
		m.mu.Unlock()
		return m.batch(ns, found, batchSize(cmd), "firstBatch")
	case "getMore":
		id, _ := first.Value().Int64OK()
		m.mu.Lock()
		c, ok := m.cursors[id]
		delete(m.cursors, id)
		m.mu.Unlock()
		if !ok {
			return failure(43, "CursorNotFound", fmt.Sprintf("cursor id %d not found", id))
		}
		return m.batch(c.ns, c.rest, batchSize(cmd), "nextBatch")
	default:
		return failure(59, "CommandNotFound", fmt.Sprintf("no such command: '%s'", name))
	}
}

// batch answers find/getMore: up to size documents, and a cursor id (0: none
// left) for the rest.
func (m *Mongo) batch(ns string, docs []bson.Raw, size int, field string) []byte {
	var id int64
	if size > 0 && len(docs) > size {
		m.mu.Lock()
		m.nextID++
		id = m.nextID
		m.cursors[id] = cursor{ns: ns, rest: docs[size:]}
		m.mu.Unlock()
		docs = docs[:size]
	}
	batch := bson.A{}
	for _, d := range docs {
		batch = append(batch, d)
	}
	return mustMarshal(bson.D{
		{Key: "cursor", Value: bson.D{{Key: field, Value: batch}, {Key: "id", Value: id}, {Key: "ns", Value: ns}}},
		{Key: "ok", Value: 1.0},
	})
}

func batchSize(cmd bson.Raw) int {
	n, _ := cmd.Lookup("batchSize").AsInt64OK()
	return int(n)
}

// matches: every top-level field of filter equals the document's.
func matches(doc, filter bson.Raw) bool {
	elems, _ := filter.Elements()
	for _, e := range elems {
		v, err := doc.LookupErr(e.Key())
		if err != nil || !v.Equal(e.Value()) {
			return false
		}
	}
	return true
}

func failure(code int32, codeName, msg string) []byte {
	return mustMarshal(bson.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: msg},
		{Key: "code", Value: code},
		{Key: "codeName", Value: codeName},
	})
}
