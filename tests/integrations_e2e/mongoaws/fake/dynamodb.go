package fake

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

// DynamoDB is a fake DynamoDB endpoint on loopback: HTTP/1.1 read with
// http.ReadRequest and answered by hand (no http.Server, so no server span
// of its own). It answers GetItem (JSON 1.0 protocol) on one static table,
// "prices", keyed by the string attribute "id"; any other operation gets
// UnknownOperationException. Each request is logged on stderr with the
// operation, the access key id of its signature and its traceparent header.
type DynamoDB struct {
	ln net.Listener
}

var prices = map[string]string{"7": "42"}

// StartDynamoDB listens on a free loopback port and serves in the background.
func StartDynamoDB() (*DynamoDB, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &DynamoDB{ln: ln}
	go d.accept()
	return d, nil
}

// URL is the endpoint for the SDK's BaseEndpoint.
func (d *DynamoDB) URL() string { return "http://" + d.ln.Addr().String() }

// Close stops accepting connections.
func (d *DynamoDB) Close() error { return d.ln.Close() }

func (d *DynamoDB) accept() {
	for {
		conn, err := d.ln.Accept()
		if err != nil {
			return
		}
		go d.serve(conn)
	}
}

func (d *DynamoDB) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		status, reply := answer(req, body)
		head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/x-amz-json-1.0\r\n"+
			"X-Amzn-Requestid: fake-request-id\r\nContent-Length: %d\r\n\r\n",
			status, http.StatusText(status), len(reply))
		if _, err := io.WriteString(conn, head+reply); err != nil {
			return
		}
	}
}

// answer one request: its status and JSON body.
func answer(req *http.Request, body []byte) (int, string) {
	target := req.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, "DynamoDB_20120810.")
	key := ""
	if auth := req.Header.Get("Authorization"); strings.Contains(auth, "Credential=") {
		key, _, _ = strings.Cut(strings.SplitN(auth, "Credential=", 2)[1], "/")
	}
	fmt.Fprintf(os.Stderr, "fake dynamodb: %s key=%s traceparent=%s\n", op, key, req.Header.Get("Traceparent"))
	if req.Method != http.MethodPost || op != "GetItem" {
		return 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`
	}
	var in struct {
		TableName string
		Key       map[string]map[string]string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 400, `{"__type":"com.amazon.coral.service#SerializationException"}`
	}
	if in.TableName != "prices" {
		return 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`
	}
	id := in.Key["id"]["S"]
	price, ok := prices[id]
	if !ok {
		return 200, `{}`
	}
	item, _ := json.Marshal(map[string]any{"Item": map[string]any{
		"id": map[string]string{"S": id}, "price": map[string]string{"N": price},
	}})
	return 200, string(item)
}
