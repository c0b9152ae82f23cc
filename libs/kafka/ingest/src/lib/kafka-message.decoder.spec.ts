import { validateEvent } from '@rework-ledger/contracts';
import { encodeCloudEvent } from '@rework-ledger/kafka-client';
import { decodeKafkaRecord, type KafkaRecord } from './kafka-message.decoder';

const event = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'urn:tool:copilot',
  type: 'ai.output.generated',
  time: '2026-03-02T10:00:00+01:00',
  tenant: 'acme',
  data: { outputId: 'o1', employeeId: 'alice', tool: 'copilot', taskType: 'coding', extra: 'kept' },
};
const LIMIT = 64 * 1024;
const binary = (headers: Record<string, string>, value: string | null): KafkaRecord => ({
  key: Buffer.from('output-o1'),
  value: value === null ? null : Buffer.from(value),
  headers: Object.fromEntries(Object.entries(headers).map(([name, text]) => [name, Buffer.from(text)])),
});
const ceHeaders = { ce_specversion: '1.0', ce_id: 'evt-1', ce_source: 'urn:tool:copilot', ce_type: 'ai.output.generated', ce_time: '2026-03-02T10:00:00Z', ce_tenant: 'acme', 'content-type': 'application/json' };
const data = JSON.stringify(event.data);
const validate = (record: KafkaRecord) => {
  const decoded = decodeKafkaRecord(record, LIMIT);
  if (!decoded.ok) return decoded.error;
  const validation = validateEvent(decoded.event, { fromEvent: true });
  return validation.ok ? validation.event : validation.errors;
};

describe('decodeKafkaRecord', () => {
  describe('given a binary-mode record', () => {
    it('then its attributes come from the ce_* headers, the tenant from ce_tenant and the data from the value', () => {
      expect(validate(binary(ceHeaders, data))).toEqual({
        tenant: 'acme',
        id: 'evt-1',
        source: 'urn:tool:copilot',
        type: 'ai.output.generated',
        time: new Date('2026-03-02T10:00:00Z'),
        data: event.data,
      });
    });

    it('without content-type, then the data is read as JSON', () => {
      const { 'content-type': _ignored, ...headers } = ceHeaders;
      expect(validate(binary(headers, data))).toMatchObject({ id: 'evt-1', data: event.data });
    });

    it.each(['ce_id', 'ce_time', 'ce_source', 'ce_type', 'ce_specversion'])('missing %s, then the validator reports that attribute as required', (header) => {
      const headers: Record<string, string> = { ...ceHeaders };
      delete headers[header];
      expect(validate(binary(headers, data))).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'FIELD.REQUIRED', field: header.slice(3) })]));
    });

    it('with a time that is not RFC 3339, then it is rejected as sent (not normalised by the SDK)', () => {
      expect(validate(binary({ ...ceHeaders, ce_time: 'March 2, 2026' }, data))).toEqual([expect.objectContaining({ code: 'FIELD.NOT_RFC3339', field: 'time' })]);
    });

    it('with a value that is not JSON, then it is refused as MESSAGE.MALFORMED_JSON', () => {
      expect(validate(binary(ceHeaders, '{"outputId": '))).toMatchObject({ code: 'MESSAGE.MALFORMED_JSON' });
    });

    it('with no value, then the data is reported missing', () => {
      expect(validate(binary(ceHeaders, null))).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'FIELD.REQUIRED', field: 'data' })]));
    });

    it('with an unknown type, then EVENT.UNKNOWN_TYPE', () => {
      expect(validate(binary({ ...ceHeaders, ce_type: 'ai.output.liked' }, data))).toEqual([expect.objectContaining({ code: 'EVENT.UNKNOWN_TYPE', field: 'type' })]);
    });

    it('without ce_tenant, then EVENT.TENANT_MISSING', () => {
      const { ce_tenant: _tenant, ...headers } = ceHeaders;
      expect(validate(binary(headers, data))).toEqual([expect.objectContaining({ code: 'EVENT.TENANT_MISSING' })]);
    });
  });

  describe('given a structured-mode record', () => {
    const structured = (value: string, contentType = 'application/cloudevents+json; charset=utf-8'): KafkaRecord => ({
      key: null,
      value: Buffer.from(value),
      headers: { 'content-type': Buffer.from(contentType) },
    });

    it('then the event is the JSON value, its time kept as sent', () => {
      expect(validate(structured(JSON.stringify(event)))).toMatchObject({ id: 'evt-1', tenant: 'acme', time: new Date('2026-03-02T09:00:00Z'), data: event.data });
    });

    it('without a time, then the validator reports it (the SDK would have invented one)', () => {
      const { time: _time, ...withoutTime } = event;
      expect(validate(structured(JSON.stringify(withoutTime)))).toEqual([expect.objectContaining({ code: 'FIELD.REQUIRED', field: 'time' })]);
    });

    it('without an id, then the validator reports it', () => {
      const { id: _id, ...withoutId } = event;
      expect(validate(structured(JSON.stringify(withoutId)))).toEqual([expect.objectContaining({ code: 'FIELD.REQUIRED', field: 'id' })]);
    });

    it('with malformed JSON, then MESSAGE.MALFORMED_JSON', () => {
      expect(validate(structured('{"specversion": "1.0",'))).toMatchObject({ code: 'MESSAGE.MALFORMED_JSON' });
    });

    it('with a JSON array, then EVENT.NOT_AN_OBJECT', () => {
      expect(validate(structured('[1,2]'))).toMatchObject({ code: 'EVENT.NOT_AN_OBJECT' });
    });

    it('in batched mode, then MESSAGE.UNSUPPORTED_MODE', () => {
      expect(validate(structured(JSON.stringify([event]), 'application/cloudevents-batch+json'))).toMatchObject({ code: 'MESSAGE.UNSUPPORTED_MODE' });
    });

    it('in another format than JSON, then MESSAGE.UNSUPPORTED_FORMAT', () => {
      expect(validate(structured('<event/>', 'application/cloudevents+xml'))).toMatchObject({ code: 'MESSAGE.UNSUPPORTED_FORMAT' });
    });
  });

  it('given a record that is no CloudEvent, then MESSAGE.NOT_A_CLOUDEVENT', () => {
    expect(validate({ key: null, value: Buffer.from(data), headers: {} })).toMatchObject({ code: 'MESSAGE.NOT_A_CLOUDEVENT' });
  });

  it('given a record over the limit, then MESSAGE.TOO_LARGE before anything is parsed', () => {
    expect(validate(binary(ceHeaders, JSON.stringify({ ...event.data, reason: 'x'.repeat(LIMIT) })))).toMatchObject({ code: 'MESSAGE.TOO_LARGE' });
  });

  it.each(['binary', 'structured'] as const)('given what the client library encodes in %s mode, then it decodes to the same event', (mode) => {
    const { tenant: _tenant, ...withoutTenant } = event;
    const encoded = encodeCloudEvent(withoutTenant, { mode, tenant: 'acme' });
    expect(encoded.key).toBe('output-o1');
    expect(validate({ key: Buffer.from(encoded.key as string), value: encoded.value, headers: encoded.headers })).toMatchObject({
      tenant: 'acme',
      id: 'evt-1',
      time: new Date('2026-03-02T09:00:00Z'),
      data: event.data,
    });
  });
});
