/** The value each optional variable takes when it is absent or empty. */
export const CONFIG_DEFAULTS = {
  PORT: 3000,
  HOST: '127.0.0.1',
  EMBEDDED_PG_PORT: 5433,
  DATABASE_READ_POOL_SIZE: 10,
  DATABASE_POOL_TIMEOUT_MS: 10_000,
  DEMO_DATA: true,
  RUN_PROJECTIONS: true,
  API_BOOTSTRAP_TENANT: 'demo',
  DEFAULT_CURRENCY: 'USD',
  DEFAULT_HOURLY_COST: 60,
  PRIVACY_MIN_GROUP_SIZE: 5,
  LOG_LEVEL: 'log',
  KAFKA_CLIENT_ID: 'rework-ledger',
  KAFKA_TELEMETRY_TOPIC: 'rework-ledger.telemetry.v1',
  KAFKA_DEAD_LETTER_TOPIC: 'rework-ledger.telemetry.dlq.v1',
  KAFKA_TOPIC_PARTITIONS: 6,
  KAFKA_SSL: false,
  KAFKA_MAX_MESSAGE_BYTES: 1_048_576,
  EVENT_STORE: 'postgres',
  HTTP_HEADERS_TIMEOUT_MS: 20_000,
  HTTP_REQUEST_TIMEOUT_MS: 60_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  RATE_LIMIT_INGEST_PER_MINUTE: 30_000,
  RATE_LIMIT_QUERY_PER_MINUTE: 3_000,
  API_KEY_CACHE_SECONDS: 30,
} as const;

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const EVENT_STORE_KINDS = ['postgres', 'eventstoredb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

/** One environment variable the application reads, for the docs and the start-up log. */
export type ConfigurationVariable = Readonly<{
  name: string;
  /** The default as text; absent when the variable is optional with no default, or required. */
  default?: string;
  /** What it controls, and its rule. */
  meaning: string;
  group: 'server' | 'database' | 'tenancy' | 'kafka' | 'event store';
  /** Its value is never printed (keys, passwords, URLs that may hold a password). */
  secret?: boolean;
}>;

const text = (value: string | number | boolean) => String(value);

/** Every variable the application reads, in the order of docs/configuration.md. Blank counts as absent. */
export const CONFIGURATION_VARIABLES: readonly ConfigurationVariable[] = [
  { group: 'server', name: 'PORT', default: text(CONFIG_DEFAULTS.PORT), meaning: 'HTTP port of the API and dashboard; integer 0–65535 (0: any free port).' },
  {
    group: 'server',
    name: 'HOST',
    default: CONFIG_DEFAULTS.HOST,
    meaning: 'Interface the HTTP server listens on. The default serves this machine only; set 0.0.0.0 to accept other machines (put TLS in front).',
  },
  { group: 'server', name: 'LOG_LEVEL', default: CONFIG_DEFAULTS.LOG_LEVEL, meaning: `Most verbose level logged: one of ${LOG_LEVELS.join(', ')}.` },
  {
    group: 'server',
    name: 'DEMO_DATA',
    default: text(CONFIG_DEFAULTS.DEMO_DATA),
    meaning: 'Load the demo data set into API_BOOTSTRAP_TENANT at start-up; boolean (true/false, 1/0, yes/no, on/off).',
  },
  {
    group: 'server',
    name: 'RUN_PROJECTIONS',
    default: text(CONFIG_DEFAULTS.RUN_PROJECTIONS),
    meaning:
      'Apply the projections (keep the read models up to date) in the API process; boolean. Set false when a separate projector process runs them. Either way one runner per projection is active at a time (a PostgreSQL advisory lock).',
  },
  {
    group: 'server',
    name: 'HTTP_HEADERS_TIMEOUT_MS',
    default: text(CONFIG_DEFAULTS.HTTP_HEADERS_TIMEOUT_MS),
    meaning: 'Time a client has to send the request line and headers; integer 1000–600000, at most HTTP_REQUEST_TIMEOUT_MS. Slower clients get 408 and the connection is closed.',
  },
  {
    group: 'server',
    name: 'HTTP_REQUEST_TIMEOUT_MS',
    default: text(CONFIG_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS),
    meaning:
      'Time a client has to send a whole request, body included (a 5 MiB batch at 1 Mbit/s takes about 40 s); integer 1000–600000. A body trickled slower is cut off with 408.',
  },
  {
    group: 'server',
    name: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    default: text(CONFIG_DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS),
    meaning: 'How long an idle keep-alive connection is kept open; integer 1000–600000. Behind a load balancer, set it above the balancer’s idle timeout.',
  },
  {
    group: 'server',
    name: 'RATE_LIMIT_INGEST_PER_MINUTE',
    default: text(CONFIG_DEFAULTS.RATE_LIMIT_INGEST_PER_MINUTE),
    meaning:
      'Requests per minute one tenant may send to one ingestion route (POST /v1/events, xAPI); beyond it, 429 RATE.LIMITED with Retry-After. Integer ≥ 0; 0: no limit. One key may serve a whole organisation: keep it generous.',
  },
  {
    group: 'server',
    name: 'RATE_LIMIT_QUERY_PER_MINUTE',
    default: text(CONFIG_DEFAULTS.RATE_LIMIT_QUERY_PER_MINUTE),
    meaning:
      'Requests per minute one tenant may send to any other route (queries, operations), counted per route; requests without a key (and failed key look-ups) count per client IP address. Integer ≥ 0; 0: no limit.',
  },
  {
    group: 'server',
    name: 'METRICS_TOKEN',
    secret: true,
    meaning: 'When set (at least 16 characters), GET /metrics requires "Authorization: Bearer <METRICS_TOKEN>" (401 otherwise). Absent: /metrics is open (platform-wide counters only).',
  },
  {
    group: 'server',
    name: 'OTLP_GRPC_PORT',
    meaning:
      'When set, the port (on HOST) of the OTLP/gRPC receiver (OpenTelemetry exporters with OTEL_EXPORTER_OTLP_PROTOCOL=grpc; 4317 is the usual one); integer 0–65535. Absent: no gRPC receiver (OTLP/HTTP is always served under /otlp). See docs/connectors/otlp.md.',
  },
  {
    group: 'database',
    name: 'DATABASE_URL',
    secret: true,
    meaning: 'PostgreSQL (≥ 14) connection URL, postgres:// or postgresql://. Absent: an embedded PostgreSQL is started (below).',
  },
  {
    group: 'database',
    name: 'DATABASE_READ_POOL_SIZE',
    default: text(CONFIG_DEFAULTS.DATABASE_READ_POOL_SIZE),
    meaning:
      'Connections of the API’s read pool (TypeORM), which answers the queries (metrics, training, operations, keys); integer 1–100. A slow usage or value answer holds up to two at once, and the dashboard’s operations view asks for three of them together: when no connection becomes free within DATABASE_POOL_TIMEOUT_MS, requests are answered 503 DATABASE.OVERLOADED. Count it in PostgreSQL’s max_connections (docs/deployment.md). The ingestor and the projector use the default size (their read pool reads only keys and tenant settings, and opens connections only as they are needed).',
  },
  {
    group: 'database',
    name: 'DATABASE_POOL_TIMEOUT_MS',
    default: text(CONFIG_DEFAULTS.DATABASE_POOL_TIMEOUT_MS),
    meaning:
      'How long a request waits for a database connection — a free one of a full pool, or a new one being opened — before it fails: 503 DATABASE.OVERLOADED when the pool stayed full, DATABASE.UNAVAILABLE when the server could not be reached. Applies to both pools of the API, the ingestor and the projector, and to the CLI’s pg pool; integer 1000–300000.',
  },
  {
    group: 'database',
    name: 'EMBEDDED_PG_PORT',
    default: text(CONFIG_DEFAULTS.EMBEDDED_PG_PORT),
    meaning: 'Port (127.0.0.1) of the embedded PostgreSQL used when DATABASE_URL is absent; integer 1–65535. Change it when the port is taken.',
  },
  {
    group: 'database',
    name: 'EMBEDDED_PG_DATA_DIR',
    meaning:
      'Folder of the embedded PostgreSQL (cluster and password), kept across restarts and reboots. Default: $XDG_DATA_HOME/rework-ledger, else ~/.local/share/rework-ledger; /var/lib/rework-ledger as root (it must be reachable by the OS user postgres, which runs PostgreSQL then). A cluster an earlier release kept in <OS temp folder>/rework-ledger-pg-<hash of the checkout path> is moved to the default folder once.',
  },
  {
    group: 'database',
    name: 'XDG_DATA_HOME',
    meaning: 'The standard (XDG) base folder of user data; only the default of EMBEDDED_PG_DATA_DIR depends on it. Ignored when relative, and as root.',
  },
  {
    group: 'tenancy',
    name: 'API_BOOTSTRAP_KEY',
    secret: true,
    meaning: 'An API key (at least 16 characters) provisioned at start-up for API_BOOTSTRAP_TENANT with every scope (operator included). Never printed. Absent: one is generated and kept in .data/ (printed once at each start).',
  },
  {
    group: 'tenancy',
    name: 'API_KEY_CACHE_SECONDS',
    default: text(CONFIG_DEFAULTS.API_KEY_CACHE_SECONDS),
    meaning: 'How long a server trusts a valid API key without asking the database again: a revoked key stops working within it. Integer 1–60.',
  },
  { group: 'tenancy', name: 'API_BOOTSTRAP_TENANT', default: CONFIG_DEFAULTS.API_BOOTSTRAP_TENANT, meaning: 'Tenant of the bootstrap key and of the demo data; 1–200 characters, no spaces.' },
  {
    group: 'tenancy',
    name: 'DEFAULT_CURRENCY',
    default: CONFIG_DEFAULTS.DEFAULT_CURRENCY,
    meaning: 'Currency of a new tenant (costs, ROI); ISO 4217 code, case-insensitive.',
  },
  {
    group: 'tenancy',
    name: 'DEFAULT_HOURLY_COST',
    default: text(CONFIG_DEFAULTS.DEFAULT_HOURLY_COST),
    meaning: 'Hourly cost of an employee without hourlyCost, for a new tenant; number ≥ 0.',
  },
  {
    group: 'tenancy',
    name: 'PRIVACY_MIN_GROUP_SIZE',
    default: text(CONFIG_DEFAULTS.PRIVACY_MIN_GROUP_SIZE),
    meaning: 'k of a new tenant: rows covering fewer distinct employees are suppressed for non-admins; integer ≥ 1.',
  },
  {
    group: 'kafka',
    name: 'KAFKA_BROKERS',
    meaning: 'Comma-separated host:port list of Kafka brokers. Absent: no Kafka ingestion (HTTP only), and the other KAFKA_* variables are not used.',
  },
  { group: 'kafka', name: 'KAFKA_CLIENT_ID', default: CONFIG_DEFAULTS.KAFKA_CLIENT_ID, meaning: 'Kafka client id of the application.' },
  { group: 'kafka', name: 'KAFKA_TELEMETRY_TOPIC', default: CONFIG_DEFAULTS.KAFKA_TELEMETRY_TOPIC, meaning: 'Topic of incoming CloudEvents; a legal Kafka topic name.' },
  { group: 'kafka', name: 'KAFKA_DEAD_LETTER_TOPIC', default: CONFIG_DEFAULTS.KAFKA_DEAD_LETTER_TOPIC, meaning: 'Topic that receives rejected messages with the reason in headers.' },
  {
    group: 'kafka',
    name: 'KAFKA_TOPIC_PARTITIONS',
    default: text(CONFIG_DEFAULTS.KAFKA_TOPIC_PARTITIONS),
    meaning: 'Partitions of the topics when the application creates them; integer ≥ 1 (bounds how many consumers share the work).',
  },
  { group: 'kafka', name: 'KAFKA_SSL', default: text(CONFIG_DEFAULTS.KAFKA_SSL), meaning: 'Connect to the brokers with TLS; boolean.' },
  { group: 'kafka', name: 'KAFKA_SASL_MECHANISM', meaning: `SASL mechanism: one of ${KAFKA_SASL_MECHANISMS.join(', ')}. Absent: no SASL.` },
  { group: 'kafka', name: 'KAFKA_SASL_USERNAME', meaning: 'SASL user name; required when KAFKA_SASL_MECHANISM is set.' },
  { group: 'kafka', name: 'KAFKA_SASL_PASSWORD', secret: true, meaning: 'SASL password; required when KAFKA_SASL_MECHANISM is set.' },
  {
    group: 'kafka',
    name: 'KAFKA_TENANT',
    meaning: 'Binds the telemetry topic to this one tenant. Absent: each message names its tenant (the ce_tenant header / tenant attribute).',
  },
  {
    group: 'kafka',
    name: 'KAFKA_MAX_MESSAGE_BYTES',
    default: text(CONFIG_DEFAULTS.KAFKA_MAX_MESSAGE_BYTES),
    meaning: 'Largest message accepted; larger ones are dead-lettered. Integer ≥ 1.',
  },
  {
    group: 'event store',
    name: 'EVENT_STORE',
    default: CONFIG_DEFAULTS.EVENT_STORE,
    meaning: `Where events are appended: one of ${EVENT_STORE_KINDS.join(', ')}. Read models stay in PostgreSQL either way.`,
  },
  {
    group: 'event store',
    name: 'EVENTSTORE_CONNECTION_STRING',
    secret: true,
    meaning: 'EventStoreDB/KurrentDB connection string (esdb://, esdb+discover://, kurrentdb:// …); required when EVENT_STORE=eventstoredb.',
  },
];
