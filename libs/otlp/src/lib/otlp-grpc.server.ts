import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LedgerError } from '@rework-ledger/domain';
import { authenticateRequest, checkScope, createRateLimiter, RateLimitedError } from '@rework-ledger/http-kit';
import { isDatabaseUnavailable, isPoolExhausted } from '@rework-ledger/platform';
import type { ApiKeys, Principal } from '@rework-ledger/tenancy';
import { OTLP_SIGNALS, otlpProtoDirectory, otlpService, otlpServiceFile, type OtlpSignal } from './otlp-proto';
import type { OtlpReceipt } from './receive-otlp';

export type OtlpGrpcServerOptions = Readonly<{
  host: string;
  /** 0: any free port (tests); the one bound is in the returned server's `port`. */
  port: number;
  apiKeys: ApiKeys;
  /** Maps and stores a decoded request for the tenant (the same command as OTLP/HTTP). */
  receive: (tenant: string, signal: OtlpSignal, request: Record<string, unknown>) => Promise<OtlpReceipt>;
  /** The largest request accepted (bytes, after decompression); larger ones get RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** Export calls per minute per tenant and signal, as RATE_LIMIT_INGEST_PER_MINUTE for HTTP; 0: no limit. */
  callsPerMinute: number;
  onError?: (error: unknown) => void;
}>;

export type OtlpGrpcServer = Readonly<{ port: number | undefined; close(): Promise<void> }>;

/** The same conversions as OTLP/HTTP's decoding (otlp-proto.ts): the mapping sees the same objects either way. */
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: Number, defaults: false, arrays: true, includeDirs: [] };

const REJECTED_FIELD: Readonly<Record<OtlpSignal, string>> = { logs: 'rejectedLogRecords', traces: 'rejectedSpans', metrics: 'rejectedDataPoints' };

type ServiceError = Partial<grpc.StatusObject> & { code: grpc.status; details: string };

/** gRPC status of an error: authentication and scope, an unavailable database or a full pool (retriable), else INTERNAL. */
function toServiceError(error: unknown): ServiceError {
  const code = (error as LedgerError).code;
  if (code === 'AUTH.MISSING_API_KEY' || code === 'AUTH.INVALID_API_KEY') return { code: grpc.status.UNAUTHENTICATED, details: `${code}: ${(error as Error).message}` };
  if (code === 'AUTH.MISSING_SCOPE') return { code: grpc.status.PERMISSION_DENIED, details: `${code}: ${(error as Error).message}` };
  // Throttled: retryable for the exporters (OTLP/gRPC specification), like HTTP's 429.
  if (error instanceof RateLimitedError) return { code: grpc.status.RESOURCE_EXHAUSTED, details: `${error.code}: ${error.message}` };
  if (isPoolExhausted(error)) return { code: grpc.status.UNAVAILABLE, details: 'DATABASE.OVERLOADED: no database connection of this service became free in time; retry later' };
  if (isDatabaseUnavailable(error) || (error instanceof LedgerError && error.retriable)) return { code: grpc.status.UNAVAILABLE, details: 'the database is unavailable; retry later' };
  return { code: grpc.status.INTERNAL, details: 'an unexpected error occurred; it has been logged' };
}

/**
 * OTLP/gRPC: the three collector services (Export of logs, traces, metrics) on their own port, loaded with
 * @grpc/proto-loader from the same .proto files as OTLP/HTTP. The API key comes in the `authorization` metadata
 * (`Bearer <key>`, scope `ingest`); gzip-compressed messages are accepted.
 */
export async function startOtlpGrpcServer(options: OtlpGrpcServerOptions): Promise<OtlpGrpcServer> {
  const definition = protoLoader.loadSync(
    OTLP_SIGNALS.map((signal) => otlpServiceFile(signal)),
    { ...LOADER_OPTIONS, includeDirs: [otlpProtoDirectory()] },
  );
  const server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
  const limiter = createRateLimiter();
  for (const signal of OTLP_SIGNALS) {
    const service = definition[otlpService(signal).service] as grpc.ServiceDefinition;
    server.addService(service, {
      Export: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        void exportCall(signal, call).then(
          (response) => callback(null, response),
          (error: unknown) => {
            const serviceError = toServiceError(error);
            if (serviceError.code === grpc.status.INTERNAL) options.onError?.(error);
            callback(serviceError);
          },
        );
      },
    });
  }

  async function exportCall(signal: OtlpSignal, call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>) {
    const authorization = call.metadata.get('authorization')[0];
    const principal: Principal = await authenticateRequest(options.apiKeys, { authorization: typeof authorization === 'string' ? authorization : undefined });
    checkScope(principal, ['ingest']);
    limiter.take(`tenant:${principal.tenant}|grpc ${signal}`, options.callsPerMinute);
    const receipt = await options.receive(principal.tenant, signal, call.request);
    return receipt.partialSuccess ? { partialSuccess: { [REJECTED_FIELD[signal]]: receipt.partialSuccess.rejected, errorMessage: receipt.partialSuccess.message } } : {};
  }

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Calls in flight may finish; a client that keeps its connection open does not hold the shutdown up.
        const force = setTimeout(() => server.forceShutdown(), 5000).unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
