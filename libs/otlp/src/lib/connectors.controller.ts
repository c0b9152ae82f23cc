import { applyDecorators, Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiJsonResponse, ApiKeyAuth, ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { CONNECTOR_RECORDS_STORE, type ConnectorRecordCount, type ConnectorRecordsStore } from './connector-records.store';

const ConnectorsDocs = () =>
  applyDecorators(
    ApiTags('connectors'),
    ApiOperation({
      summary: "What the tenant's connectors ignored or rejected, and why",
      description:
        'Running counts of records received by a connector (otlp) and not stored, by signal, outcome and reason: `ignored` records are not for Rework Ledger ' +
        '(a span that is not an output, a tool decision made by a policy, another metric); `rejected` ones were reported to the sender (OTLP partialSuccess) — ' +
        'no person on the record, a rework event without ai.output.id, or a contract error code. See docs/connectors/otlp.md.',
    }),
    ApiKeyAuth('read'),
    ApiJsonResponse(
      200,
      'The counts, by connector, signal, outcome and reason',
      {
        type: 'object',
        properties: {
          records: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                connector: { type: 'string' },
                signal: { type: 'string', enum: ['logs', 'traces', 'metrics'] },
                outcome: { type: 'string', enum: ['ignored', 'rejected'] },
                reason: { type: 'string' },
                count: { type: 'integer' },
                lastSeenAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
      {
        'some records ignored and rejected': {
          records: [
            { connector: 'otlp', signal: 'logs', outcome: 'ignored', reason: 'tool_decision.by-policy', count: 12, lastSeenAt: '2026-03-02T11:00:00.000Z' },
            { connector: 'otlp', signal: 'traces', outcome: 'rejected', reason: 'no-person', count: 3, lastSeenAt: '2026-03-02T10:00:03.000Z' },
          ],
        },
      },
    ),
  );

/** GET /v1/connectors: per tenant, what its connectors ignored or rejected (/metrics keeps platform-wide counts only). */
@Controller('v1/connectors')
@UseGuards(ApiKeyGuard)
export class ConnectorsController {
  constructor(@Inject(CONNECTOR_RECORDS_STORE) private readonly store: ConnectorRecordsStore) {}

  @Get()
  @RequireScope('read')
  @ConnectorsDocs()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ records: ConnectorRecordCount[] }> {
    return { records: await this.store.list(principal.tenant) };
  }
}
