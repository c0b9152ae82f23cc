import { gzipSync } from 'node:zlib';
import { decodeExportRequest, decodeExportResponse, decodeStatus, encodeExportRequest, encodeExportResponse, encodeStatus } from './otlp-proto';
import { OtlpDecodeError } from './otlp.errors';

/** A log request whose one attribute value is a key-value list nested `depth` deep (built as text: too deep to stringify). */
function deepLogsJson(depth: number): string {
  const value = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth) + '{"stringValue":"x"}' + '}]}}'.repeat(depth);
  return `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
}

// An OTLP/JSON request as the OpenTelemetry specification writes it: hex ids, integer enum, 64-bit integers as strings
// (and as a number), lowerCamelCase names.
const JSON_SPANS = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'acme-assistant' } }] },
      scopeSpans: [
        {
          scope: { name: 'manual-test' },
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              name: 'chat',
              kind: 3,
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: 1544712661000000000,
              attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } }],
              status: { code: 'STATUS_CODE_OK' },
            },
          ],
        },
      ],
    },
  ],
};

describe('OTLP decoding with the official .proto files', () => {
  it('decodes OTLP/JSON (hex ids, integer enums, 64-bit integers as strings) to the same request as its protobuf encoding', () => {
    const fromJson = decodeExportRequest('traces', Buffer.from(JSON.stringify(JSON_SPANS)), 'json');
    const span = (fromJson as any).resourceSpans[0].scopeSpans[0].spans[0];
    expect(Buffer.from(span.traceId).toString('hex')).toBe('5b8efff798038103d269b633813fc60c');
    expect(Buffer.from(span.spanId).toString('hex')).toBe('eee19b7ec3c1b174');
    expect(span).toMatchObject({ kind: 3, startTimeUnixNano: '1544712660000000000', endTimeUnixNano: '1544712661000000000', status: { code: 1 } });
    expect(span.attributes).toEqual([{ key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } }]);
    expect(decodeExportRequest('traces', encodeExportRequest('traces', fromJson), 'protobuf')).toEqual(fromJson);
  });

  it("reads a log record's event_name field (opentelemetry-proto ≥ 1.5)", () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'claude_code.tool_decision', timeUnixNano: '1' }] }] }] };
    const fromProtobuf = decodeExportRequest('logs', encodeExportRequest('logs', body), 'protobuf');
    expect((fromProtobuf as any).resourceLogs[0].scopeLogs[0].logRecords[0].eventName).toBe('claude_code.tool_decision');
  });

  it.each([
    ['protobuf that is not a request', 'traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'protobuf'],
    ['JSON that does not parse', 'logs', Buffer.from('{"resourceLogs": ['), 'json'],
    ['a JSON array', 'metrics', Buffer.from('[]'), 'json'],
    ['a trace id that is not hex', 'traces', Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'W4764xyz' }] }] }] })), 'json'],
    ['a field of the wrong shape', 'traces', Buffer.from(JSON.stringify({ resourceSpans: 'many' })), 'json'],
    ['gzip bytes not inflated', 'logs', gzipSync(Buffer.from('{}')), 'protobuf'],
    ['an attribute value nested 10,000 deep (JSON)', 'logs', Buffer.from(deepLogsJson(10_000)), 'json'],
  ] as const)('refuses %s with OtlpDecodeError (400)', (_, signal, body, encoding) => {
    expect(() => decodeExportRequest(signal, body, encoding)).toThrow(OtlpDecodeError);
  });

  it('encodes the responses and the Status of errors in the encoding of the request', () => {
    for (const encoding of ['protobuf', 'json'] as const) {
      expect(decodeExportResponse('logs', encodeExportResponse('logs', { rejected: 2, message: '2 log records rejected: no-person' }, encoding), encoding)).toEqual({
        partialSuccess: { rejectedLogRecords: '2', errorMessage: '2 log records rejected: no-person' },
      });
      expect(decodeExportResponse('metrics', encodeExportResponse('metrics', undefined, encoding), encoding)).toEqual({});
      expect(decodeStatus(encodeStatus({ code: 16, message: 'no API key' }, encoding), encoding)).toMatchObject({ code: 16, message: 'no API key' });
    }
    expect(JSON.parse(encodeExportResponse('traces', { rejected: 1, message: 'm' }, 'json').toString())).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: 'm' } });
  });
});
