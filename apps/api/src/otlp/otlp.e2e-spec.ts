// The OTLP receiver end to end, with the official OpenTelemetry JS SDK and exporters as the clients (protobuf and
// JSON over HTTP, gzip, gRPC) against the running API; then the events in the store and the rework metrics.
import { credentials, makeClientConstructor, Metadata, type ServiceDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { INestApplication } from '@nestjs/common';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPMetricGrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPTraceJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@rework-ledger/event-store';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeExportRequest, decodeExportResponse, decodeStatus, encodeExportRequest, mapMetrics, OTLP_GRPC_SERVER, type OtlpContractEvent, type OtlpGrpcServer, otlpProtoDirectory, otlpService, otlpServiceFile } from '@rework-ledger/otlp';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { gzipSync } from 'node:zlib';
import { createApiApp } from '../create-api-app';

// A bound for a slow, shared machine, not a performance expectation: exports wait for the projections to catch up.
jest.setTimeout(60_000);

type Exporter<T> = { export(items: T, done: (result: ExportResult) => void): void; shutdown(): Promise<void> };

/** One export call of a real exporter, as its SDK processor makes it. */
const exportWith = <T,>(exporter: Exporter<T>, items: T) => new Promise<ExportResult>((resolve) => exporter.export(items, resolve));

/** Collects metrics on demand (a reader without a timer): each collect is one export's worth. */
class ManualMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const ASSISTANT = { 'service.name': 'acme-assistant', 'team.id': 'platform' };
const CLAUDE_CODE = { 'service.name': 'claude-code', 'team.id': 'payments' };

describe('OTLP receiver end to end (OpenTelemetry JS exporters → /otlp and gRPC → event store)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let grpcUrl: string;
  let ingestKey: string;
  let readKey: string;
  let adminKey: string;

  /** The tenant's stored events (of one source), once every projection has seen them: readers see committed events. */
  const events = async (source?: string): Promise<StoredEvent[]> => {
    const caughtUp = async () => {
      for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);
    };
    await caughtUp();
    const all = await app.get<EventStore>(EVENT_STORE).readAll({ tenant: 'acme', limit: 10_000 });
    // "Caught up" is up to the head visible when asked: an event committed but not yet visible then (another
    // transaction on the server still open) is read now, so the runners are waited for once more, up to it.
    await caughtUp();
    return all.filter((event) => source === undefined || event.source === source);
  };

  /** Finished spans of a tracer with these resource attributes, as the SDK hands them to an exporter. */
  const spans = (resource: Record<string, string>, make: (start: (name: string, attributes: Record<string, string | number | boolean>) => void) => void) => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('e2e');
    make((name, attributes) => tracer.startSpan(name, { attributes, startTime: new Date('2026-03-02T10:00:00Z') }).end(new Date('2026-03-02T10:00:03Z')));
    return memory.getFinishedSpans() as ReadableSpan[];
  };

  const logRecords = async (resource: Record<string, string>, make: (emit: (eventName: string, attributes: Record<string, string | number>) => void) => void) => {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes(resource), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('e2e');
    make((eventName, attributes) => logger.emit({ eventName, attributes, timestamp: new Date('2026-03-02T11:00:00Z'), body: eventName }));
    await provider.forceFlush();
    return memory.getFinishedLogRecords() as ReadableLogRecord[];
  };

  const auth = () => ({ Authorization: `Bearer ${ingestKey}` });
  const grpcMetadata = () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${ingestKey}`);
    return metadata;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
      { otlpGrpc: { host: '127.0.0.1', port: 0 } },
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    grpcUrl = `http://127.0.0.1:${app.get<OtlpGrpcServer>(OTLP_GRPC_SERVER).port}`;
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    ingestKey = (await apiKeys.create('acme', ['ingest'], 'otlp e2e ingest')).key;
    readKey = (await apiKeys.create('acme', ['read'], 'otlp e2e read')).key;
    adminKey = (await apiKeys.create('acme', ['admin'], 'otlp e2e admin')).key;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given GenAI spans sent by the protobuf exporter (gzip), then the outputs are stored with the mapped fields, and a retry of the export is a duplicate', async () => {
    const finished = spans({ ...ASSISTANT, 'user.email': 'Alice@Acme.test' }, (start) => {
      start('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'chatcmpl-e2e-1', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 300, 'rework_ledger.task_type': 'drafting' });
      start('embeddings', { 'gen_ai.operation.name': 'embeddings' });
      start('summarise', { 'rework_ledger.output': true, 'gen_ai.response.id': 'chatcmpl-e2e-2', 'gen_ai.usage.prompt_tokens': 7, 'gen_ai.usage.completion_tokens': 9 });
      start('chat but not an output', { 'gen_ai.operation.name': 'chat', 'rework_ledger.output': false });
    });
    const exporter = new OTLPTraceExporter({ url: `${baseUrl}/otlp/v1/traces`, headers: auth(), compression: 'gzip' as never });
    expect(await exportWith(exporter, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    const stored = await events('otlp:acme-assistant');
    expect(stored.map((event) => [event.type, event.time.toISOString(), event.data])).toEqual([
      ['ai.output.generated', '2026-03-02T10:00:03.000Z', { outputId: 'chatcmpl-e2e-1', employeeId: 'alice@acme.test', teamId: 'platform', tool: 'acme-assistant', model: 'gpt-4o', taskType: 'drafting', inputTokens: 100, outputTokens: 300 }],
      ['ai.output.generated', '2026-03-02T10:00:03.000Z', { outputId: 'chatcmpl-e2e-2', employeeId: 'alice@acme.test', teamId: 'platform', tool: 'acme-assistant', taskType: 'other', inputTokens: 7, outputTokens: 9 }],
    ]);
    expect(await exportWith(exporter, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await events('otlp:acme-assistant')).toHaveLength(2);
    await exporter.shutdown();
  });

  it('given spans sent by the JSON exporter (OTLP/JSON: hex ids), then an output without response id gets trace id + span id', async () => {
    const finished = spans({ 'service.name': 'json-assistant', 'enduser.id': 'bob' }, (start) => start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'llama-3' }));
    const exporter = new OTLPTraceJsonExporter({ url: `${baseUrl}/otlp/v1/traces`, headers: auth() });
    expect(await exportWith(exporter, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    const { traceId, spanId } = finished[0].spanContext();
    expect((await events('otlp:json-assistant')).map((event) => event.data)).toEqual([
      { outputId: `${traceId}-${spanId}`, employeeId: 'bob', tool: 'json-assistant', model: 'llama-3', taskType: 'other' },
    ]);
    await exporter.shutdown();
  });

  it('given rework log events and Claude Code tool decisions sent by the logs protobuf exporter, then outputs and rework are stored and the rework metrics count them', async () => {
    const reworkRecords = await logRecords({ ...ASSISTANT, 'user.email': 'carol@acme.test' }, (emit) => {
      emit('ai.output.corrected', { 'ai.output.id': 'chatcmpl-e2e-1', 'rework.minutes_spent': 15, 'rework.reason': 'wrong figures' });
    });
    const decisions = await logRecords({ ...CLAUDE_CODE, 'user.email': 'dev@acme.test' }, (emit) => {
      const decision = (attributes: Record<string, string>) => emit('claude_code.tool_decision', { 'event.name': 'tool_decision', 'session.id': 's-1', ...attributes });
      decision({ tool_name: 'Edit', decision: 'accept', source: 'user_temporary', tool_use_id: 'toolu_e2e_1' });
      decision({ tool_name: 'Write', decision: 'reject', source: 'user_reject', tool_use_id: 'toolu_e2e_2' });
      decision({ tool_name: 'Bash', decision: 'accept', source: 'user_temporary', tool_use_id: 'toolu_e2e_3' });
      decision({ tool_name: 'Edit', decision: 'accept', source: 'config', tool_use_id: 'toolu_e2e_4' });
      decision({ tool_name: 'Edit', decision: 'reject', source: 'hook', tool_use_id: 'toolu_e2e_5' });
    });
    const exporter = new OTLPLogExporter({ url: `${baseUrl}/otlp/v1/logs`, headers: auth() });
    expect(await exportWith(exporter, [...reworkRecords, ...decisions])).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await exportWith(exporter, decisions)).toEqual({ code: ExportResultCode.SUCCESS });
    expect((await events('otlp:acme-assistant')).filter((event) => event.type === 'ai.output.corrected').map((event) => event.data)).toEqual([
      { outputId: 'chatcmpl-e2e-1', employeeId: 'carol@acme.test', minutesSpent: 15, reason: 'wrong figures' },
    ]);
    expect((await events('otlp:claude-code')).map((event) => [event.type, event.data])).toEqual([
      ['ai.output.generated', { outputId: 'toolu_e2e_1', employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
      ['ai.output.generated', { outputId: 'toolu_e2e_2', employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
      ['ai.output.discarded', { outputId: 'toolu_e2e_2', employeeId: 'dev@acme.test', minutesSpent: 2, reason: 'user_reject' }],
    ]);
    await exporter.shutdown();

    const response = await fetch(`${baseUrl}/v1/metrics/rework?from=2026-03-01&to=2026-04-01&groupBy=tool`, { headers: { authorization: `Bearer ${adminKey}` } });
    const rows = ((await response.json()) as { rows: { group: string; outputs: number; reworkedOutputs: number; discards: number; corrections: number }[] }).rows;
    expect(rows.find((row) => row.group === 'claude-code')).toMatchObject({ outputs: 2, reworkedOutputs: 1, discards: 1 });
    expect(rows.find((row) => row.group === 'acme-assistant')).toMatchObject({ outputs: 2, reworkedOutputs: 1, corrections: 1 });
  });

  it('given a cumulative cost counter exported twice by the metrics protobuf exporter, then two points of one series, stored once each, and the usage metrics count the delta', async () => {
    const reader = new ManualMetricReader();
    const provider = new MeterProvider({ resource: resourceFromAttributes({ ...CLAUDE_CODE, 'user.email': 'dev@acme.test' }), readers: [reader] });
    const cost = provider.getMeter('com.anthropic.claude_code').createCounter('claude_code.cost.usage', { unit: 'USD' });
    cost.add(0.5, { model: 'claude-sonnet-4-5' });
    const first = (await reader.collect()).resourceMetrics;
    // A later collection, as an exporter's interval gives: a point of the same time (to the millisecond, as events
    // keep it) is the series' latest again, which counts nothing — two collections in one millisecond made this flaky.
    await new Promise((resolve) => setTimeout(resolve, 5));
    cost.add(0.25, { model: 'claude-sonnet-4-5' });
    const second = (await reader.collect()).resourceMetrics;

    // What the exporter sends, sent again as it sends it (protobuf over HTTP), to see the answer: every point taken (duplicates now).
    const answers: Record<string, unknown>[] = [];
    const exporter = new OTLPMetricExporter({ url: `${baseUrl}/otlp/v1/metrics`, headers: auth() });
    for (const resourceMetrics of [first, second]) expect(await exportWith<ResourceMetrics>(exporter, resourceMetrics)).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
    const sent: OtlpContractEvent[] = [];
    for (const resourceMetrics of [first, second]) {
      const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array;
      sent.push(...mapMetrics(decodeExportRequest('metrics', body, 'protobuf')).events.map(({ event }) => event));
      const response = await fetch(`${baseUrl}/otlp/v1/metrics`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/x-protobuf' }, body });
      expect(response.status).toBe(200);
      answers.push(decodeExportResponse('metrics', new Uint8Array(await response.arrayBuffer()), 'protobuf'));
    }
    expect(answers).toEqual([{}, {}]);
    // The mapping's output: two cumulative points of one series.
    expect(sent.map((event) => [event.type, event.data])).toEqual([
      ['ai.usage.recorded', expect.objectContaining({ employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', model: 'claude-sonnet-4-5', cost: 0.5, currency: 'USD', cumulative: true })],
      ['ai.usage.recorded', expect.objectContaining({ cost: 0.75, currency: 'USD', cumulative: true, series: (sent[0].data as { series: string }).series, seriesStart: (sent[0].data as { seriesStart: string }).seriesStart })],
    ]);
    expect(sent[1].id).not.toBe(sent[0].id);
    // The tool decisions of the test above, and the two points, each stored once.
    expect((await events('otlp:claude-code')).map((event) => event.type)).toEqual(['ai.output.generated', 'ai.output.generated', 'ai.output.discarded', 'ai.usage.recorded', 'ai.usage.recorded']);
    const day = (sent[0].data as { day: string }).day;
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const usage = await fetch(`${baseUrl}/v1/metrics/usage?from=${day}&to=${next}&groupBy=tool`, { headers: { authorization: `Bearer ${adminKey}` } });
    const rows = ((await usage.json()) as { rows: { group: string; activeUsers: number; spend: { currency: string; amount: number }[] }[] }).rows;
    // Cumulative 0.5 then 0.75: the delta counted, not the sum of the points.
    expect(rows.find((row) => row.group === 'claude-code')).toMatchObject({ activeUsers: 1, spend: [{ currency: 'USD', amount: 0.75 }] });

    // The counter restarts (a new process: another MeterProvider, a later start time, a lower value): a reset, counted from zero.
    const restartedReader = new ManualMetricReader();
    const restarted = new MeterProvider({ resource: resourceFromAttributes({ ...CLAUDE_CODE, 'user.email': 'dev@acme.test' }), readers: [restartedReader] });
    restarted.getMeter('com.anthropic.claude_code').createCounter('claude_code.cost.usage', { unit: 'USD' }).add(0.25, { model: 'claude-sonnet-4-5' });
    const third = (await restartedReader.collect()).resourceMetrics;
    const [restartPoint] = mapMetrics(decodeExportRequest('metrics', ProtobufMetricsSerializer.serializeRequest(third) as Uint8Array, 'protobuf')).events.map(({ event }) => event);
    expect(restartPoint.data).toMatchObject({ cost: 0.25, series: (sent[0].data as { series: string }).series });
    expect(Date.parse((restartPoint.data as { seriesStart: string }).seriesStart)).toBeGreaterThan(Date.parse((sent[0].data as { seriesStart: string }).seriesStart));
    const restartExporter = new OTLPMetricExporter({ url: `${baseUrl}/otlp/v1/metrics`, headers: auth() });
    expect(await exportWith<ResourceMetrics>(restartExporter, third)).toEqual({ code: ExportResultCode.SUCCESS });
    await restartExporter.shutdown();
    expect((await events('otlp:claude-code')).filter((event) => event.type === 'ai.usage.recorded')).toHaveLength(3);
    // Over the restart point's day too (should the test run across midnight).
    const restartDay = (restartPoint.data as { day: string }).day;
    const after = new Date(Date.parse(restartDay) + 86_400_000).toISOString().slice(0, 10);
    const total = await fetch(`${baseUrl}/v1/metrics/usage?from=${day}&to=${after}&groupBy=tool`, { headers: { authorization: `Bearer ${adminKey}` } });
    const totalRows = ((await total.json()) as { rows: { group: string; spend: { currency: string; amount: number }[] }[] }).rows;
    // 0.75 of the first run, and the new run's 0.25 from zero (not a negative delta, nor nothing).
    expect(totalRows.find((row) => row.group === 'claude-code')).toMatchObject({ spend: [{ currency: 'USD', amount: 1 }] });
  });

  it('given spans and metrics over OTLP/gRPC (the exporters with the key in the authorization metadata, gzip), then the same mapping and storage', async () => {
    const finished = spans({ 'service.name': 'grpc-assistant', 'user.account_uuid': 'acc-7' }, (start) => start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'grpc-out-1' }));
    const traces = new OTLPTraceGrpcExporter({ url: grpcUrl, metadata: grpcMetadata(), compression: 'gzip' as never });
    expect(await exportWith(traces, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await exportWith(traces, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    expect((await events('otlp:grpc-assistant')).map((event) => event.data)).toEqual([{ outputId: 'grpc-out-1', employeeId: 'acc-7', tool: 'grpc-assistant', taskType: 'other' }]);
    await traces.shutdown();

    const reader = new ManualMetricReader();
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'grpc-assistant', 'user.account_uuid': 'acc-7' }), readers: [reader] });
    provider.getMeter('e2e').createCounter('claude_code.token.usage').add(1000, { type: 'input' });
    const metrics = new OTLPMetricGrpcExporter({ url: grpcUrl, metadata: grpcMetadata() });
    expect(await exportWith<ResourceMetrics>(metrics, (await reader.collect()).resourceMetrics)).toEqual({ code: ExportResultCode.SUCCESS });
    expect((await events('otlp:grpc-assistant')).map((event) => event.type)).toEqual(['ai.output.generated', 'ai.usage.recorded']);
    await metrics.shutdown();
  });

  it('given OTLP/gRPC without a key or with a key lacking ingest, then the exporter fails (UNAUTHENTICATED, PERMISSION_DENIED)', async () => {
    const finished = spans({ 'service.name': 'grpc-denied', 'user.id': 'u' }, (start) => start('chat', { 'gen_ai.operation.name': 'chat' }));
    const noKey = new OTLPTraceGrpcExporter({ url: grpcUrl });
    const withoutScope = new OTLPTraceGrpcExporter({ url: grpcUrl, metadata: (() => { const m = new Metadata(); m.set('authorization', `Bearer ${readKey}`); return m; })() });
    const [a, b] = [await exportWith(noKey, finished), await exportWith(withoutScope, finished)];
    expect([a.code, (a.error as { code?: number }).code]).toEqual([ExportResultCode.FAILED, 16]);
    expect([b.code, (b.error as { code?: number }).code]).toEqual([ExportResultCode.FAILED, 7]);
    await Promise.all([noKey.shutdown(), withoutScope.shutdown()]);
    expect(await events('otlp:grpc-denied')).toEqual([]);
  });

  it("takes the tenant's output operations and discard minutes (tenant settings)", async () => {
    await app.get<TenantSettingsStore>(TENANT_SETTINGS).update('initech', { otlpOutputOperations: ['invoke_agent'], discardMinutes: 5 });
    const key = (await app.get<ApiKeys>(API_KEYS).create('initech', ['ingest'], 'otlp e2e initech')).key;
    const headers = { Authorization: `Bearer ${key}` };
    const finished = spans({ 'service.name': 'agents', 'user.id': 'u-1' }, (start) => {
      start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': 'not-an-output-here' });
      start('invoke_agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.response.id': 'agent-run-1' });
    });
    const traces = new OTLPTraceExporter({ url: `${baseUrl}/otlp/v1/traces`, headers });
    expect(await exportWith(traces, finished)).toEqual({ code: ExportResultCode.SUCCESS });
    const decisions = await logRecords({ 'service.name': 'claude-code', 'user.email': 'dev@initech.test' }, (emit) =>
      emit('tool_decision', { tool_name: 'Edit', decision: 'reject', source: 'user_abort', tool_use_id: 'toolu_initech' }),
    );
    const logs = new OTLPLogExporter({ url: `${baseUrl}/otlp/v1/logs`, headers });
    expect(await exportWith(logs, decisions)).toEqual({ code: ExportResultCode.SUCCESS });
    await Promise.all([traces.shutdown(), logs.shutdown()]);
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);
    const stored = await app.get<EventStore>(EVENT_STORE).readAll({ tenant: 'initech' });
    expect(stored.map((event) => [event.type, event.data['outputId'], event.data['minutesSpent']])).toEqual([
      ['ai.output.generated', 'agent-run-1', undefined],
      ['ai.output.generated', 'toolu_initech', undefined],
      ['ai.output.discarded', 'toolu_initech', 5],
    ]);
  });

  describe('answers in the OTLP/HTTP way', () => {
    const post = (signal: string, body: string | Uint8Array, headers: Record<string, string>) => fetch(`${baseUrl}/otlp/v1/${signal}`, { method: 'POST', headers, body });
    const status = async (response: Response, encoding: 'protobuf' | 'json') => decodeStatus(new Uint8Array(await response.arrayBuffer()), encoding);

    it('401 without a key and 403 with a key lacking ingest, with a Status in the encoding of the request', async () => {
      const noKey = await post('traces', new Uint8Array(), { 'content-type': 'application/x-protobuf' });
      expect([noKey.status, noKey.headers.get('content-type')]).toEqual([401, expect.stringContaining('application/x-protobuf')]);
      expect(await status(noKey, 'protobuf')).toMatchObject({ code: 16, message: expect.stringContaining('AUTH.MISSING_API_KEY') });
      const readOnly = await post('logs', '{}', { 'content-type': 'application/json', authorization: `Bearer ${readKey}` });
      expect([readOnly.status, await status(readOnly, 'json')]).toEqual([403, { code: 7, message: expect.stringContaining('AUTH.MISSING_SCOPE') }]);
    });

    it('400 with a Status for an undecodable body, protobuf or JSON; 415 for another media type', async () => {
      const garbage = await post('logs', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), { ...auth(), 'content-type': 'application/x-protobuf' });
      expect([garbage.status, await status(garbage, 'protobuf')]).toEqual([400, expect.objectContaining({ code: 3, message: expect.stringContaining('OTLP.UNDECODABLE') })]);
      const badJson = await post('metrics', '{"resourceMetrics": [', { ...auth(), 'content-type': 'application/json' });
      expect([badJson.status, await status(badJson, 'json')]).toEqual([400, { code: 3, message: expect.stringContaining('OTLP.UNDECODABLE') }]);
      const text = await post('traces', 'hello', { ...auth(), 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
    });

    it('413 with a Status for a body over the limit once inflated (a gzip bomb too)', async () => {
      const inflated = Buffer.alloc(6 * 1024 * 1024, 0x20);
      const bomb = await post('logs', gzipSync(inflated), { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect([bomb.status, await status(bomb, 'json')]).toEqual([413, { code: 8, message: expect.any(String) }]);
    });

    it('200 with partialSuccess for the records without a person; the others are stored (JSON, gzip)', async () => {
      const request = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial-assistant' } }] },
            scopeSpans: [
              {
                spans: [
                  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'chat', kind: 3, endTimeUnixNano: '1772445600000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] },
                  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', name: 'chat', kind: 3, endTimeUnixNano: '1772445600000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'user.id', value: { stringValue: 'u-9' } }] },
                ],
              },
            ],
          },
        ],
      };
      const response = await post('traces', gzipSync(JSON.stringify(request)), { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect([response.status, response.headers.get('content-type'), await response.json()]).toEqual([
        200,
        expect.stringContaining('application/json'),
        { partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('no-person') } },
      ]);
      expect((await events('otlp:partial-assistant')).map((event) => event.data)).toEqual([{ outputId: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203332', employeeId: 'u-9', tool: 'partial-assistant', taskType: 'other' }]);
      const protobuf = await post('traces', encodeExportRequest('traces', { resourceSpans: [] }), { ...auth(), 'content-type': 'application/x-protobuf' });
      expect([protobuf.status, decodeExportResponse('traces', new Uint8Array(await protobuf.arrayBuffer()), 'protobuf')]).toEqual([200, {}]);
    });

    it("counts per tenant what was ignored and rejected, by signal and reason: GET /v1/connectors (read scope), another tenant's empty", async () => {
      const mine = await fetch(`${baseUrl}/v1/connectors`, { headers: { authorization: `Bearer ${readKey}` } });
      const { records } = (await mine.json()) as { records: { connector: string; signal: string; outcome: string; reason: string; count: number }[] };
      expect(records.filter((r) => r.signal === 'logs').map(({ connector, outcome, reason, count }) => [connector, outcome, reason, count])).toEqual([
        ['otlp', 'ignored', 'tool_decision.by-policy', 4],
        ['otlp', 'ignored', 'tool_decision.not-code-editing', 2],
      ]);
      expect(records).toContainEqual(expect.objectContaining({ signal: 'traces', outcome: 'rejected', reason: 'no-person', count: 1 }));
      expect(records.filter((r) => r.signal === 'metrics')).toEqual([]); // every cost and token point taken
      const otherKey = (await app.get<ApiKeys>(API_KEYS).create('globex', ['read'], 'otlp e2e other tenant')).key;
      expect(await (await fetch(`${baseUrl}/v1/connectors`, { headers: { authorization: `Bearer ${otherKey}` } })).json()).toEqual({ records: [] });
      expect((await fetch(`${baseUrl}/v1/connectors`, { headers: { authorization: `Bearer ${ingestKey}` } })).status).toBe(403);
    });

    it('counts what was ignored and rejected, by connector, signal and reason, on /metrics', async () => {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      expect(text).toMatch(/rework_ledger_connector_records_total\{connector="otlp",signal="traces",outcome="ignored",reason="span.not-an-output"\} [1-9]/);
      expect(text).toMatch(/rework_ledger_connector_records_total\{connector="otlp",signal="traces",outcome="rejected",reason="no-person"\} 1/);
      expect(text).toMatch(/rework_ledger_connector_records_total\{connector="otlp",signal="logs",outcome="ignored",reason="tool_decision.by-policy"\} [1-9]/);
    });
  });

  describe('over the rate limit', () => {
    let limited: INestApplication;
    let limitedDatabase: TestDatabase;

    beforeAll(async () => {
      limitedDatabase = await createTestDatabase();
      limited = await createApiApp(
        { databaseUrl: limitedDatabase.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE }, runProjections: false },
        ['error'],
        { rateLimits: { ingestPerMinute: 1, queryPerMinute: 0 }, otlpGrpc: { host: '127.0.0.1', port: 0 } },
      );
      await limited.listen(0, '127.0.0.1');
    });

    afterAll(async () => {
      await limited?.close();
      await limitedDatabase?.drop();
    });

    it('429 with Retry-After and a Status (RESOURCE_EXHAUSTED) in the encoding of the request', async () => {
      const url = `${await limited.getUrl()}/otlp/v1/traces`;
      const key = (await limited.get<ApiKeys>(API_KEYS).create('acme', ['ingest'], 'otlp e2e limited')).key;
      const send = () => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' }, body: encodeExportRequest('traces', {}) });
      expect((await send()).status).toBe(200);
      const refused = await send();
      expect([refused.status, Number(refused.headers.get('retry-after')) > 0]).toEqual([429, true]);
      expect(decodeStatus(new Uint8Array(await refused.arrayBuffer()), 'protobuf')).toMatchObject({ code: 8, message: expect.stringContaining('RATE.LIMITED') });
    });

    it('over gRPC, RESOURCE_EXHAUSTED (which the exporters retry later)', async () => {
      const key = (await limited.get<ApiKeys>(API_KEYS).create('acme', ['ingest'], 'otlp e2e limited grpc')).key;
      // A plain gRPC client on the same definitions: the exporters would retry with backoff and only then fail.
      const definition = loadSync(otlpServiceFile('traces'), { includeDirs: [otlpProtoDirectory()] });
      const TraceService = makeClientConstructor(definition[otlpService('traces').service] as ServiceDefinition, 'TraceService');
      const client = new TraceService(`127.0.0.1:${limited.get<OtlpGrpcServer>(OTLP_GRPC_SERVER).port}`, credentials.createInsecure()) as unknown as {
        Export(request: object, metadata: Metadata, done: (error: ServiceError | null) => void): void;
        close(): void;
      };
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${key}`);
      const call = () => new Promise<ServiceError | null>((resolve) => client.Export({}, metadata, resolve));
      try {
        expect(await call()).toBeNull();
        expect((await call())?.code).toBe(status.RESOURCE_EXHAUSTED);
      } finally {
        client.close();
      }
    });
  });
});
