package shop

import "net/http"

// Unkeyed: the weaver cannot tell which element is Transport.
var Positional = http.Client{nil, nil, nil, 0}

// A map literal of a package type: keys are not field names.
var Header = http.Header{"Accept": {"text/plain"}}
