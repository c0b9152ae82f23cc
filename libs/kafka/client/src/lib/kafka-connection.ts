import { Kafka, type KafkaConfig, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';

/** How to reach a Kafka cluster: the fields of the platform's `config.kafka` that concern the connection. */
export type KafkaConnection = Readonly<{
  brokers: readonly string[];
  clientId: string;
  /** TLS with the system's trusted CAs. */
  ssl: boolean;
  sasl?: Readonly<{ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }>;
}>;

/** Where kafkajs logs go: any logger with these methods (a Nest Logger, console). */
export type KafkaLogger = Readonly<{
  error(message: string): void;
  warn(message: string): void;
  log(message: string): void;
  debug?(message: string): void;
}>;

export type KafkaClientOptions = Readonly<{
  logger?: KafkaLogger;
  /** Most verbose kafkajs level passed on to the logger (default warn). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Connection timeout in ms (default 3000). */
  connectionTimeoutMs?: number;
}>;

const REBALANCING = 'The group is rebalancing, so a rejoin is needed';
const LEVELS = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

/** The kafkajs settings for a connection: brokers, TLS and SASL. Kept separate so that it can be checked without a broker. */
export function toKafkaJsConfig(connection: KafkaConnection, options: KafkaClientOptions = {}): KafkaConfig {
  const logger = options.logger;
  return {
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: { ...connection.sasl } as SASLOptions } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: LEVELS[options.logLevel ?? 'warn'],
    ...(logger
      ? {
          logCreator:
            () =>
            ({ namespace, level, log }: LogEntry) => {
              const { message, ...details } = log;
              const text = `${namespace ? `${namespace}: ` : ''}${message}${Object.keys(details).length > 2 ? ` ${JSON.stringify(withoutNoise(details))}` : ''}`;
              // A rejoin during a rebalance is routine, though kafkajs logs the broker's answer as an error.
              if (details['error'] === REBALANCING) logger.debug?.(text);
              else if (level === logLevel.ERROR) logger.error(text);
              else if (level === logLevel.WARN) logger.warn(text);
              else if (level === logLevel.INFO) logger.log(text);
              else logger.debug?.(text);
            },
        }
      : {}),
  };
}

function withoutNoise(details: Record<string, unknown>): Record<string, unknown> {
  const { timestamp: _timestamp, logger: _logger, ...rest } = details;
  return rest;
}

/** A kafkajs client for the connection. */
export function createKafkaClient(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
  return new Kafka(toKafkaJsConfig(connection, options));
}
