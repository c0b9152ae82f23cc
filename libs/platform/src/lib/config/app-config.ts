import { MAX_MONEY_AMOUNT } from '@rework-ledger/contracts';
import { plainToInstance, Transform } from 'class-transformer';
import { IsOptional, isISO4217CurrencyCode, ValidateBy, ValidateIf, validateSync, ValidationArguments } from 'class-validator';
import { ConfigError, ConfigIssue } from './config.errors';
import {
  CONFIG_DEFAULTS,
  CONFIGURATION_VARIABLES,
  EVENT_STORE_KINDS,
  EventStoreKind,
  KAFKA_SASL_MECHANISMS,
  KafkaSaslMechanism,
  LOG_LEVELS,
  LogLevel,
} from './configuration-variables';

export type DatabaseConfig =
  | Readonly<{ kind: 'external'; url: string }>
  /**
   * No DATABASE_URL: start an embedded PostgreSQL (see startEmbeddedPostgres) in `dataDir`, else in the default
   * persistent folder under `xdgDataHome` (see defaultDataDir).
   */
  | Readonly<{ kind: 'embedded'; port: number; dataDir?: string; xdgDataHome?: string }>;

export type KafkaConfig = Readonly<{
  brokers: readonly string[];
  clientId: string;
  telemetryTopic: string;
  deadLetterTopic: string;
  topicPartitions: number;
  ssl: boolean;
  sasl?: Readonly<{ mechanism: KafkaSaslMechanism; username: string; password: string }>;
  /** When set, the telemetry topic carries this tenant's events only. */
  tenant?: string;
  maxMessageBytes: number;
}>;

export type EventStoreConfig = Readonly<{ kind: 'postgres' }> | Readonly<{ kind: 'eventstoredb'; connectionString: string }>;

/** The API's read pool size and how long a request waits for a connection of any pool (see docs/configuration.md). */
export type DatabasePools = Readonly<{ readPoolSize: number; timeoutMs: number }>;

export type HttpTimeouts = Readonly<{ headersMs: number; requestMs: number; keepAliveMs: number }>;

export type RateLimits = Readonly<{ ingestPerMinute: number; queryPerMinute: number }>;

export type TenantDefaults = Readonly<{ currency: string; hourlyCost: number; privacyMinGroupSize: number }>;

// ---------------------------------------------------------------------------------------------------------
// Parsing (strings → values). A value that does not parse stays a string, and its rule then names the problem.

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

const toInteger = Transform(({ value }) => (typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : value));
const toNumber = Transform(({ value }) => (typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : value));
const toBoolean = Transform(({ value }) => {
  if (typeof value !== 'string') return value;
  const word = value.toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
});
const toList = Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value));
const toUpperCase = Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value));
const toLowerCase = Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value));

// ---------------------------------------------------------------------------------------------------------
// Rules: one per variable, so that the message says exactly what is wrong.

function Rule(rule: string | ((value: unknown) => string), test: (value: unknown, config: AppConfig) => boolean): PropertyDecorator {
  return ValidateBy({
    name: 'rule',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => test(value, args?.object as AppConfig),
      defaultMessage: (args?: ValidationArguments) => (typeof rule === 'string' ? rule : rule(args?.value)),
    },
  });
}

const integerFrom = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const rule = max === Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`;
  return Rule(rule, (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max);
};
const oneOf = (values: readonly string[]) => Rule(`must be one of ${values.join(', ')}`, (value) => values.includes(value as string));
const isBoolean = Rule(`must be a boolean (${[...TRUE_WORDS].join(', ')} or ${[...FALSE_WORDS].join(', ')})`, (value) => typeof value === 'boolean');
const nonBlank = (what: string) => Rule(`must be ${what}`, (value) => typeof value === 'string' && value.length > 0);

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const TENANT_ID = /^\S{1,200}$/;
const EVENTSTORE_URL = /^(esdb|kurrentdb|kurrent)(\+discover)?:\/\/\S+$/;

function isHostPortList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((item) => {
    const match = HOST_PORT.exec(String(item));
    return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65535;
  });
}

function isPostgresUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------

/**
 * The application's configuration, read from environment variables once at start-up by `loadConfig`.
 * Fields carry the variables' names and parsed values; use the typed getters below.
 */
export class AppConfig {
  @toInteger
  @integerFrom(0, 65535)
  readonly PORT: number = CONFIG_DEFAULTS.PORT;

  @nonBlank('a host name or address')
  readonly HOST: string = CONFIG_DEFAULTS.HOST;

  @IsOptional()
  @Rule('must be a postgres:// or postgresql:// URL', isPostgresUrl)
  readonly DATABASE_URL?: string;

  @toInteger
  @integerFrom(1, 100)
  readonly DATABASE_READ_POOL_SIZE: number = CONFIG_DEFAULTS.DATABASE_READ_POOL_SIZE;

  // At least a second: below, a connection being opened to a server across a network would fail as unavailable.
  // At most five minutes: by then the client has long given up on the request.
  @toInteger
  @integerFrom(1000, 300_000)
  readonly DATABASE_POOL_TIMEOUT_MS: number = CONFIG_DEFAULTS.DATABASE_POOL_TIMEOUT_MS;

  @toInteger
  @integerFrom(1, 65535)
  readonly EMBEDDED_PG_PORT: number = CONFIG_DEFAULTS.EMBEDDED_PG_PORT;

  @IsOptional()
  @nonBlank('a folder path')
  readonly EMBEDDED_PG_DATA_DIR?: string;

  // The XDG base directory of user data; only the embedded PostgreSQL's default folder depends on it. A relative
  // path is ignored there, as the XDG spec says, rather than refused: it is the desktop's setting, not ours.
  @IsOptional()
  @nonBlank('a folder path')
  readonly XDG_DATA_HOME?: string;

  @toBoolean
  @isBoolean
  readonly DEMO_DATA: boolean = CONFIG_DEFAULTS.DEMO_DATA;

  @toBoolean
  @isBoolean
  readonly RUN_PROJECTIONS: boolean = CONFIG_DEFAULTS.RUN_PROJECTIONS;

  @IsOptional()
  @Rule('must be at least 16 characters long', (value) => typeof value === 'string' && value.length >= 16)
  readonly API_BOOTSTRAP_KEY?: string;

  @Rule('must be 1 to 200 characters without spaces', (value) => TENANT_ID.test(String(value)))
  readonly API_BOOTSTRAP_TENANT: string = CONFIG_DEFAULTS.API_BOOTSTRAP_TENANT;

  @toUpperCase
  @Rule('must be an ISO 4217 currency code such as USD or EUR', (value) => typeof value === 'string' && isISO4217CurrencyCode(value))
  readonly DEFAULT_CURRENCY: string = CONFIG_DEFAULTS.DEFAULT_CURRENCY;

  @toNumber
  // The contract's bound for an employee's hourlyCost: the read models' arithmetic is sized for it.
  @Rule(`must be a number from 0 to ${MAX_MONEY_AMOUNT}`, (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_MONEY_AMOUNT)
  readonly DEFAULT_HOURLY_COST: number = CONFIG_DEFAULTS.DEFAULT_HOURLY_COST;

  @toInteger
  @integerFrom(1)
  readonly PRIVACY_MIN_GROUP_SIZE: number = CONFIG_DEFAULTS.PRIVACY_MIN_GROUP_SIZE;

  @toLowerCase
  @oneOf(LOG_LEVELS)
  readonly LOG_LEVEL: LogLevel = CONFIG_DEFAULTS.LOG_LEVEL;

  @IsOptional()
  @toList
  @Rule('must be a comma-separated list of host:port (port 1–65535)', isHostPortList)
  readonly KAFKA_BROKERS?: readonly string[];

  @nonBlank('a client id')
  readonly KAFKA_CLIENT_ID: string = CONFIG_DEFAULTS.KAFKA_CLIENT_ID;

  @Rule('must be a Kafka topic name (1–249 of A-Z a-z 0-9 . _ -)', (value) => KAFKA_TOPIC.test(String(value)))
  readonly KAFKA_TELEMETRY_TOPIC: string = CONFIG_DEFAULTS.KAFKA_TELEMETRY_TOPIC;

  @Rule('must be a Kafka topic name (1–249 of A-Z a-z 0-9 . _ -), other than KAFKA_TELEMETRY_TOPIC', (value, config) =>
    KAFKA_TOPIC.test(String(value)) && value !== config.KAFKA_TELEMETRY_TOPIC,
  )
  readonly KAFKA_DEAD_LETTER_TOPIC: string = CONFIG_DEFAULTS.KAFKA_DEAD_LETTER_TOPIC;

  @toInteger
  @integerFrom(1)
  readonly KAFKA_TOPIC_PARTITIONS: number = CONFIG_DEFAULTS.KAFKA_TOPIC_PARTITIONS;

  @toBoolean
  @isBoolean
  readonly KAFKA_SSL: boolean = CONFIG_DEFAULTS.KAFKA_SSL;

  @IsOptional()
  @toLowerCase
  @oneOf(KAFKA_SASL_MECHANISMS)
  readonly KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  @ValidateIf((config: AppConfig) => config.KAFKA_SASL_MECHANISM !== undefined)
  @Rule('is required when KAFKA_SASL_MECHANISM is set', (value) => typeof value === 'string')
  readonly KAFKA_SASL_USERNAME?: string;

  @ValidateIf((config: AppConfig) => config.KAFKA_SASL_MECHANISM !== undefined)
  @Rule('is required when KAFKA_SASL_MECHANISM is set', (value) => typeof value === 'string')
  readonly KAFKA_SASL_PASSWORD?: string;

  @IsOptional()
  @Rule('must be 1 to 200 characters without spaces', (value) => TENANT_ID.test(String(value)))
  readonly KAFKA_TENANT?: string;

  @toInteger
  @integerFrom(1)
  readonly KAFKA_MAX_MESSAGE_BYTES: number = CONFIG_DEFAULTS.KAFKA_MAX_MESSAGE_BYTES;

  @toLowerCase
  @oneOf(EVENT_STORE_KINDS)
  readonly EVENT_STORE: EventStoreKind = CONFIG_DEFAULTS.EVENT_STORE;

  @ValidateIf((config: AppConfig) => config.EVENT_STORE === 'eventstoredb' || config.EVENTSTORE_CONNECTION_STRING !== undefined)
  @Rule(
    (value) => (value === undefined ? 'is required when EVENT_STORE=eventstoredb' : 'must be an esdb://, esdb+discover:// or kurrentdb:// connection string'),
    (value) => EVENTSTORE_URL.test(String(value ?? '')),
  )
  readonly EVENTSTORE_CONNECTION_STRING?: string;

  @toInteger
  @Rule('must be an integer from 1000 to 600000, at most HTTP_REQUEST_TIMEOUT_MS', (value, config) =>
    Number.isSafeInteger(value) && (value as number) >= 1000 && (value as number) <= 600_000 && (value as number) <= config.HTTP_REQUEST_TIMEOUT_MS,
  )
  readonly HTTP_HEADERS_TIMEOUT_MS: number = CONFIG_DEFAULTS.HTTP_HEADERS_TIMEOUT_MS;

  @toInteger
  @integerFrom(1000, 600_000)
  readonly HTTP_REQUEST_TIMEOUT_MS: number = CONFIG_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS;

  @toInteger
  @integerFrom(1000, 600_000)
  readonly HTTP_KEEP_ALIVE_TIMEOUT_MS: number = CONFIG_DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS;

  @toInteger
  @integerFrom(0)
  readonly RATE_LIMIT_INGEST_PER_MINUTE: number = CONFIG_DEFAULTS.RATE_LIMIT_INGEST_PER_MINUTE;

  @toInteger
  @integerFrom(0)
  readonly RATE_LIMIT_QUERY_PER_MINUTE: number = CONFIG_DEFAULTS.RATE_LIMIT_QUERY_PER_MINUTE;

  @IsOptional()
  @Rule('must be at least 16 characters long', (value) => typeof value === 'string' && value.length >= 16)
  readonly METRICS_TOKEN?: string;

  @IsOptional()
  @toInteger
  @integerFrom(0, 65535)
  readonly OTLP_GRPC_PORT?: number;

  @toInteger
  @integerFrom(1, 60)
  readonly API_KEY_CACHE_SECONDS: number = CONFIG_DEFAULTS.API_KEY_CACHE_SECONDS;

  /** Where the HTTP server listens. */
  get http(): Readonly<{ port: number; host: string }> {
    return { port: this.PORT, host: this.HOST };
  }

  /** How long the HTTP server waits for a client's headers, whole request, and next request on an idle connection. */
  get httpTimeouts(): HttpTimeouts {
    return { headersMs: this.HTTP_HEADERS_TIMEOUT_MS, requestMs: this.HTTP_REQUEST_TIMEOUT_MS, keepAliveMs: this.HTTP_KEEP_ALIVE_TIMEOUT_MS };
  }

  /** Requests per minute per tenant (else client IP) and route; 0: no limit. */
  get rateLimits(): RateLimits {
    return { ingestPerMinute: this.RATE_LIMIT_INGEST_PER_MINUTE, queryPerMinute: this.RATE_LIMIT_QUERY_PER_MINUTE };
  }

  /** The bearer token GET /metrics requires, when one is set. */
  get metricsToken(): string | undefined {
    return this.METRICS_TOKEN;
  }

  /** The port of the OTLP/gRPC receiver (on HOST); absent: no gRPC receiver (OTLP/HTTP is always under /otlp). */
  get otlpGrpcPort(): number | undefined {
    return this.OTLP_GRPC_PORT;
  }

  /** How long a valid API key is cached (a revocation takes effect within it). */
  get apiKeyCacheMs(): number {
    return this.API_KEY_CACHE_SECONDS * 1000;
  }

  /** The PostgreSQL to use: DATABASE_URL, else an embedded server. */
  get database(): DatabaseConfig {
    return this.DATABASE_URL !== undefined
      ? { kind: 'external', url: this.DATABASE_URL }
      : {
          kind: 'embedded',
          port: this.EMBEDDED_PG_PORT,
          ...(this.EMBEDDED_PG_DATA_DIR === undefined ? {} : { dataDir: this.EMBEDDED_PG_DATA_DIR }),
          ...(this.XDG_DATA_HOME === undefined ? {} : { xdgDataHome: this.XDG_DATA_HOME }),
        };
  }

  /** The API's read pool size (DATABASE_READ_POOL_SIZE) and every pool's wait for a connection (DATABASE_POOL_TIMEOUT_MS). */
  get databasePools(): DatabasePools {
    return { readPoolSize: this.DATABASE_READ_POOL_SIZE, timeoutMs: this.DATABASE_POOL_TIMEOUT_MS };
  }

  get demoData(): boolean {
    return this.DEMO_DATA;
  }

  /** Whether the API process applies the projections itself (false: a separate projector does). */
  get runProjections(): boolean {
    return this.RUN_PROJECTIONS;
  }

  get logLevel(): LogLevel {
    return this.LOG_LEVEL;
  }

  /** Every level to log at: the configured one and the more severe ones (what NestJS's `logger` option takes). */
  get logLevels(): LogLevel[] {
    return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(this.LOG_LEVEL) + 1);
  }

  /** The tenant provisioned at start-up, and its API key when one is configured. */
  get bootstrap(): Readonly<{ tenant: string; apiKey?: string }> {
    return this.API_BOOTSTRAP_KEY === undefined ? { tenant: this.API_BOOTSTRAP_TENANT } : { tenant: this.API_BOOTSTRAP_TENANT, apiKey: this.API_BOOTSTRAP_KEY };
  }

  /** The settings a new tenant starts with. */
  get tenantDefaults(): TenantDefaults {
    return { currency: this.DEFAULT_CURRENCY, hourlyCost: this.DEFAULT_HOURLY_COST, privacyMinGroupSize: this.PRIVACY_MIN_GROUP_SIZE };
  }

  /** Kafka ingestion settings, or undefined when KAFKA_BROKERS is not set (HTTP ingestion only). */
  get kafka(): KafkaConfig | undefined {
    if (this.KAFKA_BROKERS === undefined) return undefined;
    const sasl =
      this.KAFKA_SASL_MECHANISM === undefined
        ? undefined
        : { mechanism: this.KAFKA_SASL_MECHANISM, username: this.KAFKA_SASL_USERNAME ?? '', password: this.KAFKA_SASL_PASSWORD ?? '' };
    return {
      brokers: this.KAFKA_BROKERS,
      clientId: this.KAFKA_CLIENT_ID,
      telemetryTopic: this.KAFKA_TELEMETRY_TOPIC,
      deadLetterTopic: this.KAFKA_DEAD_LETTER_TOPIC,
      topicPartitions: this.KAFKA_TOPIC_PARTITIONS,
      ssl: this.KAFKA_SSL,
      ...(sasl ? { sasl } : {}),
      ...(this.KAFKA_TENANT === undefined ? {} : { tenant: this.KAFKA_TENANT }),
      maxMessageBytes: this.KAFKA_MAX_MESSAGE_BYTES,
    };
  }

  get eventStore(): EventStoreConfig {
    return this.EVENT_STORE === 'eventstoredb' ? { kind: 'eventstoredb', connectionString: this.EVENTSTORE_CONNECTION_STRING ?? '' } : { kind: 'postgres' };
  }

  /** Every variable with its value in effect, secrets masked: for the start-up log. */
  describe(): Record<string, string | undefined> {
    return Object.fromEntries(
      CONFIGURATION_VARIABLES.map(({ name, secret }) => {
        const value = (this as unknown as Record<string, unknown>)[name];
        if (value === undefined) return [name, undefined];
        return [name, secret ? '(set)' : Array.isArray(value) ? value.join(',') : String(value)];
      }),
    );
  }
}

const VARIABLE_NAMES = CONFIGURATION_VARIABLES.map(({ name }) => name);
const SECRETS = new Set(CONFIGURATION_VARIABLES.filter(({ secret }) => secret).map(({ name }) => name));

/**
 * Reads and validates the configuration once; throws a ConfigError naming every bad variable and its rule.
 * A variable that is absent, empty or blank takes its default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const given: Record<string, string> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value) given[name] = value;
  }
  const config = plainToInstance(AppConfig, given);
  const issues: ConfigIssue[] = validateSync(config, { stopAtFirstError: true, forbidUnknownValues: false }).map((error) => ({
    variable: error.property,
    rule: Object.values(error.constraints ?? {})[0] ?? 'is invalid',
    ...(SECRETS.has(error.property) || given[error.property] === undefined ? {} : { value: given[error.property] }),
  }));
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
