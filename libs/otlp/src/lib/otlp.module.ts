import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { MAX_BATCH_BYTES } from '@rework-ledger/contracts';
import { PG_POOL } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys } from '@rework-ledger/tenancy';
import type { Pool } from 'pg';
import { CONNECTOR_RECORDS_STORE, createPostgresConnectorRecordsStore, migrateConnectorRecords } from './connector-records.store';
import { type OtlpGrpcServer, startOtlpGrpcServer } from './otlp-grpc.server';
import { ConnectorsController } from './connectors.controller';
import { OtlpController } from './otlp.controller';
import { ReceiveOtlpCommand, ReceiveOtlpHandler } from './receive-otlp.command';

/** The largest OTLP request body accepted, after decompression (the same bound as POST /v1/events). */
export const OTLP_MAX_BODY_BYTES = MAX_BATCH_BYTES;

/** The OTLP/gRPC server when OTLP_GRPC_PORT is set (`port` undefined otherwise). */
export const OTLP_GRPC_SERVER = Symbol('OtlpGrpcServer');

export type OtlpModuleOptions = Readonly<{
  /** OTLP/gRPC's address, and its export calls per minute per tenant and signal (0: no limit). */
  grpc?: Readonly<{ host: string; port: number; callsPerMinute: number }>;
}>;

/**
 * The OTLP receiver: POST /otlp/v1/{logs,traces,metrics} (the app must give /otlp a raw body parser and the
 * OTLP error renderer), OTLP/gRPC when `grpc` is given, and GET /v1/connectors (what was ignored or rejected). Needs the runtime (PG_POOL, EVENT_STORE, API_KEYS) and
 * CqrsModule.forRoot(); an app may provide CONNECTOR_RECORD_COUNTER (Prometheus).
 */
@Module({})
export class OtlpModule implements OnApplicationShutdown {
  constructor(@Inject(OTLP_GRPC_SERVER) private readonly grpcServer: OtlpGrpcServer) {}

  static register(options: OtlpModuleOptions = {}): DynamicModule {
    const logger = new Logger('otlp');
    return {
      module: OtlpModule,
      imports: [CqrsModule],
      controllers: [OtlpController, ConnectorsController],
      providers: [
        {
          provide: CONNECTOR_RECORDS_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: Pool) => {
            await migrateConnectorRecords(pool);
            return createPostgresConnectorRecordsStore(pool);
          },
        },
        ReceiveOtlpHandler,
        {
          provide: OTLP_GRPC_SERVER,
          inject: [API_KEYS, CommandBus],
          useFactory: async (apiKeys: ApiKeys, commandBus: CommandBus): Promise<OtlpGrpcServer> => {
            if (!options.grpc) return { port: undefined, close: async () => undefined };
            const server = await startOtlpGrpcServer({
              ...options.grpc,
              apiKeys,
              maxMessageBytes: OTLP_MAX_BODY_BYTES,
              receive: (tenant, signal, request) => commandBus.execute(new ReceiveOtlpCommand(tenant, signal, request)),
              onError: (error) => logger.error(`OTLP/gRPC: ${error instanceof Error ? error.stack : String(error)}`),
            });
            logger.log(`OTLP/gRPC receiver on ${options.grpc.host}:${server.port}`);
            return server;
          },
        },
      ],
      exports: [OTLP_GRPC_SERVER, CONNECTOR_RECORDS_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.grpcServer.close();
  }
}
