//! Bundled aspect files (stdlib-aspects/), embedded into the binary.
//!
//! `use: [name]` in aspects.yaml enables an integration; the short form
//! `- { name: tracing, target: … }` borrows a bundled aspect's advice.
//! Each integration also says which Go modules its injected code imports, at
//! the versions goaop was tested with: `goaop init` adds them to go.mod, and
//! a build whose go.mod lacks one fails at once naming the `go get` to run.

/// One embedded aspect file.
pub struct BundledFile {
    /// The name used in `use:` (`otel`, `net/http`, `tracing`).
    pub name: &'static str,
    /// Shown in diagnostics: `<bundled>/tracing.yaml`.
    pub path: &'static str,
    pub text: &'static str,
    /// One line on what it touches, for `goaop check --list-bundled`.
    pub summary: &'static str,
    /// The modules providing the packages its advice imports (std aside).
    pub modules: &'static [GoModule],
    /// `goaop init` enables it when the module imports one of these
    /// packages; `None`: always.
    pub when_imported: Option<&'static [&'static str]>,
}

/// A Go module at the version goaop's integrations were tested with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoModule {
    pub path: &'static str,
    pub version: &'static str,
}

const OTEL: GoModule = GoModule {
    path: "go.opentelemetry.io/otel",
    version: "v1.47.0",
};
const OTEL_TRACE: GoModule = GoModule {
    path: "go.opentelemetry.io/otel/trace",
    version: "v1.47.0",
};
const OTEL_SDK: GoModule = GoModule {
    path: "go.opentelemetry.io/otel/sdk",
    version: "v1.47.0",
};
const OTEL_SDK_METRIC: GoModule = GoModule {
    path: "go.opentelemetry.io/otel/sdk/metric",
    version: "v1.47.0",
};
const AUTOEXPORT: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/exporters/autoexport",
    version: "v0.72.0",
};
/// Go runtime metrics (go.memory.used, go.goroutine.count, ...).
const OTEL_RUNTIME: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/runtime",
    version: "v0.72.0",
};
const OTELHTTP: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
    version: "v0.72.0",
};
const OTELGRPC: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
    version: "v0.72.0",
};
const GRPC: GoModule = GoModule {
    path: "google.golang.org/grpc",
    version: "v1.85.0",
};
const OTELSQL: GoModule = GoModule {
    path: "github.com/XSAM/otelsql",
    version: "v0.44.0",
};
const GIN: GoModule = GoModule {
    path: "github.com/gin-gonic/gin",
    version: "v1.11.0",
};
/// The last otelgin release (contrib stopped at v0.65.0, otel v1.40.0); it
/// builds against the pinned otel v1.47.0.
const OTELGIN: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin",
    version: "v0.65.0",
};
const ECHO: GoModule = GoModule {
    path: "github.com/labstack/echo/v4",
    version: "v4.13.3",
};
/// The last otelecho release (v0.60.0, otel v1.35.0); it builds against the
/// pinned otel v1.47.0.
const OTELECHO: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho",
    version: "v0.60.0",
};
const CHI: GoModule = GoModule {
    path: "github.com/go-chi/chi/v5",
    version: "v5.5.0",
};
const GORILLA_MUX: GoModule = GoModule {
    path: "github.com/gorilla/mux",
    version: "v1.8.1",
};
/// The last otelmux release (v0.58.0, otel v1.33.0); it builds against the
/// pinned otel v1.47.0.
const OTELMUX: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/github.com/gorilla/mux/otelmux",
    version: "v0.58.0",
};
const GO_REDIS: GoModule = GoModule {
    path: "github.com/redis/go-redis/v9",
    version: "v9.23.0",
};
const REDISOTEL: GoModule = GoModule {
    path: "github.com/redis/go-redis/extra/redisotel/v9",
    version: "v9.23.0",
};
const PGX: GoModule = GoModule {
    path: "github.com/jackc/pgx/v5",
    version: "v5.13.0",
};
/// pgx's OpenTelemetry tracer (pgx links to it from its docs; the pgx
/// project ships none of its own). v0.13.0 builds against otel v1.47.0.
const OTELPGX: GoModule = GoModule {
    path: "github.com/exaring/otelpgx",
    version: "v0.13.0",
};
const MONGO: GoModule = GoModule {
    path: "go.mongodb.org/mongo-driver/v2",
    version: "v2.10.0",
};
const AWS_SDK: GoModule = GoModule {
    path: "github.com/aws/aws-sdk-go-v2",
    version: "v1.48.0",
};
const SMITHY: GoModule = GoModule {
    path: "github.com/aws/smithy-go",
    version: "v1.28.9",
};
/// Deprecated upstream ("no longer supported") but released with the pinned
/// otel v1.47.0 and working; the SDK's own smithyoteltracing adapter is not
/// served by the module proxy.
const OTELAWS: GoModule = GoModule {
    path: "go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws",
    version: "v0.72.0",
};
/// segmentio/kafka-go: the bundled advice is woven into it (it has no
/// OpenTelemetry instrumentation of its own).
const KAFKA_GO: GoModule = GoModule {
    path: "github.com/segmentio/kafka-go",
    version: "v0.4.51",
};
/// A slog.Handler wrapper adding trace_id/span_id from the record's context.
const SLOG_OTEL: GoModule = GoModule {
    path: "github.com/remychantenay/slog-otel",
    version: "v1.3.4",
};

/// Files whose aspects may be borrowed by the short form (by aspect name).
pub const BASE: &[BundledFile] = &[BundledFile {
    name: "base",
    path: "<bundled>/base.yaml",
    text: include_str!("../stdlib-aspects/base.yaml"),
    summary: "the seed's tracing, auth and logging aspects, for the short form `- { name: tracing, target: … }`",
    modules: &[],
    when_imported: None,
}];

/// Integrations enabled with `use:`.
pub const INTEGRATIONS: &[BundledFile] = &[
    BundledFile {
        name: "otel",
        path: "<bundled>/otel.yaml",
        text: include_str!("../stdlib-aspects/otel.yaml"),
        summary: "`func main`: OpenTelemetry SDK from OTEL_* (autoexport): TracerProvider, MeterProvider with Go runtime metrics (none with OTEL_METRICS_EXPORTER=none), W3C propagation; flush when main returns and before os.Exit/log.Fatal*",
        modules: &[OTEL, OTEL_SDK, OTEL_SDK_METRIC, AUTOEXPORT, OTEL_RUNTIME],
        when_imported: None,
    },
    BundledFile {
        name: "net/http",
        path: "<bundled>/net-http.yaml",
        text: include_str!("../stdlib-aspects/net-http.yaml"),
        summary: "otelhttp server span per request (ListenAndServe, Serve, Server{Handler:}, else the served handler itself); http.route from r.Pattern in every served handler (used as a value, or ServeHTTP); client spans for http.Get/Post/Head/PostForm, Client{} literals, DefaultClient, DefaultTransport",
        modules: &[OTEL, OTEL_TRACE, OTELHTTP],
        when_imported: Some(&["net/http"]),
    },
    BundledFile {
        name: "database/sql",
        path: "<bundled>/database-sql.yaml",
        text: include_str!("../stdlib-aspects/database-sql.yaml"),
        summary: "sql.Open, sql.OpenDB through otelsql: a span per query with db.system.name and db.query.text",
        modules: &[OTEL, OTELSQL],
        when_imported: Some(&["database/sql"]),
    },
    BundledFile {
        name: "grpc",
        path: "<bundled>/grpc.yaml",
        text: include_str!("../stdlib-aspects/grpc.yaml"),
        summary: "grpc.NewServer, grpc.NewClient/Dial/DialContext: otelgrpc stats handlers appended to the options",
        modules: &[GRPC, OTELGRPC],
        when_imported: Some(&["google.golang.org/grpc"]),
    },
    BundledFile {
        name: "gin",
        path: "<bundled>/gin.yaml",
        text: include_str!("../stdlib-aspects/gin.yaml"),
        summary: "gin.New, gin.Default: otelgin middleware, a SERVER span per request named by the route (`GET /users/:id`); with net/http's span already started, names that one instead",
        modules: &[OTEL, OTEL_TRACE, OTELHTTP, GIN, OTELGIN],
        when_imported: Some(&["github.com/gin-gonic/gin"]),
    },
    BundledFile {
        name: "echo",
        path: "<bundled>/echo.yaml",
        text: include_str!("../stdlib-aspects/echo.yaml"),
        summary: "echo.New: otelecho middleware, a SERVER span per request named by the route (`GET /users/:id`); with net/http's span already started, names that one instead",
        modules: &[OTEL, OTEL_TRACE, OTELHTTP, ECHO, OTELECHO],
        when_imported: Some(&["github.com/labstack/echo/v4"]),
    },
    BundledFile {
        name: "chi",
        path: "<bundled>/chi.yaml",
        text: include_str!("../stdlib-aspects/chi.yaml"),
        summary: "chi.NewRouter, chi.NewMux: an otelhttp SERVER span per request named by chi's route pattern (`GET /users/{id}`); with net/http's span already started, names that one instead",
        modules: &[OTEL, OTEL_TRACE, OTELHTTP, CHI],
        when_imported: Some(&["github.com/go-chi/chi/v5"]),
    },
    BundledFile {
        name: "gorilla/mux",
        path: "<bundled>/gorilla-mux.yaml",
        text: include_str!("../stdlib-aspects/gorilla-mux.yaml"),
        summary: "mux.NewRouter: otelmux middleware, a SERVER span per request named by the route template (`GET /users/{id}`); with net/http's span already started, names that one instead",
        modules: &[OTEL, OTEL_TRACE, OTELHTTP, GORILLA_MUX, OTELMUX],
        when_imported: Some(&["github.com/gorilla/mux"]),
    },
    BundledFile {
        name: "go-redis",
        path: "<bundled>/go-redis.yaml",
        text: include_str!("../stdlib-aspects/go-redis.yaml"),
        summary: "redis.NewClient/NewFailoverClient/NewClusterClient/NewFailoverClusterClient/NewRing/NewUniversalClient: redisotel, a CLIENT span per command and pipeline (db.system = redis)",
        modules: &[OTEL, GO_REDIS, REDISOTEL],
        when_imported: Some(&["github.com/redis/go-redis/v9"]),
    },
    BundledFile {
        name: "pgx",
        path: "<bundled>/pgx.yaml",
        text: include_str!("../stdlib-aspects/pgx.yaml"),
        summary: "pgx.Connect/ConnectConfig/ConnectWithOptions, pgxpool.New/NewWithConfig, stdlib.OpenDB: otelpgx as the connection's Tracer (a Tracer the program set is left alone), a CLIENT span per query, batch, prepare, copy and pool acquire (db.system.name = postgresql) inside a span",
        modules: &[PGX, OTELPGX],
        when_imported: Some(&["github.com/jackc/pgx/v5", "github.com/jackc/pgx/v5/pgxpool"]),
    },
    BundledFile {
        name: "mongo",
        path: "<bundled>/mongo.yaml",
        text: include_str!("../stdlib-aspects/mongo.yaml"),
        summary: "mongo.Connect (driver v2): a command monitor (composed with the program's own), a CLIENT span per command (db.system.name = mongodb, db.collection.name, db.operation.name)",
        modules: &[OTEL, OTEL_TRACE, MONGO],
        when_imported: Some(&["go.mongodb.org/mongo-driver/v2/mongo"]),
    },
    BundledFile {
        name: "aws",
        path: "<bundled>/aws.yaml",
        text: include_str!("../stdlib-aspects/aws.yaml"),
        summary: "config.LoadDefaultConfig (aws-sdk-go-v2): otelaws middlewares on the loaded aws.Config, a CLIENT span per API call (rpc.system.name = aws-api, rpc.method = `DynamoDB/GetItem`); the program's own otelaws.AppendMiddlewares wins",
        modules: &[AWS_SDK, SMITHY, OTELAWS],
        when_imported: Some(&["github.com/aws/aws-sdk-go-v2/config"]),
    },
    BundledFile {
        name: "kafka-go",
        path: "<bundled>/kafka-go.yaml",
        text: include_str!("../stdlib-aspects/kafka-go.yaml"),
        summary: "woven into kafka-go itself (driver mode: vendored): (*Writer).WriteMessages, a PRODUCER span per message, traceparent injected into a copy of its headers; (*Reader).FetchMessage/ReadMessage, a CONSUMER span per message, child of (and linked to) the producer's span from the headers",
        modules: &[OTEL, OTEL_TRACE, KAFKA_GO],
        when_imported: Some(&["github.com/segmentio/kafka-go"]),
    },
    BundledFile {
        name: "log/slog",
        path: "<bundled>/slog.yaml",
        text: include_str!("../stdlib-aspects/slog.yaml"),
        summary: "slog.New (handler wrapped by slog-otel), slog.Debug/Info/Warn/Error(+Context): trace_id and span_id of the active span on every record",
        modules: &[OTEL, OTEL_TRACE, SLOG_OTEL],
        when_imported: Some(&["log/slog"]),
    },
];

pub fn integration(name: &str) -> Option<&'static BundledFile> {
    INTEGRATIONS.iter().find(|f| f.name == name)
}

/// The tested version of a module the integrations use.
pub fn tested_version(module: &str) -> Option<&'static str> {
    INTEGRATIONS
        .iter()
        .flat_map(|f| f.modules)
        .find(|m| m.path == module)
        .map(|m| m.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No bundled advice puts a function literal into the user's function
    /// (DESIGN §11: the user's closures keep their names): every literal is
    /// hoisted to a package-level function, and none uses `after`.
    #[test]
    fn bundled_advice_adds_no_literal_to_user_functions() {
        for file in INTEGRATIONS.iter().chain(BASE) {
            let out = crate::check::check_bundled(file);
            assert!(!out.has_errors(), "{}: {:?}", file.name, out.diagnostics);
            for a in &out.aspects {
                let adv = &a.advice;
                assert!(adv.after.is_none(), "{} uses `after`", a.name);
                let templates = adv
                    .before
                    .iter()
                    .chain(&adv.around)
                    .chain(&adv.replace)
                    .chain(&adv.wrap)
                    .chain(&adv.append_args)
                    .chain(adv.set_fields.iter().map(|s| &s.template));
                for t in templates {
                    assert!(
                        !t.local_literal,
                        "{}: aspect `{}` keeps a function literal in the woven code",
                        file.name, a.name
                    );
                }
            }
        }
    }
}
