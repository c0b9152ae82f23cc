import { encodeCloudEvent, partitionKeyFor } from './cloud-event-message';
import { toKafkaJsConfig } from './kafka-connection';
import { toCloudEventJson } from './kafka-event-log';

const event = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'urn:tool',
  type: 'training.completed',
  time: '2026-03-02T10:00:00Z',
  data: { employeeId: 'alice', courseId: 'prompting-101', score: 0.9 },
};

describe('partitionKeyFor', () => {
  it.each([
    ['ai.output.corrected', { outputId: 'o-1', employeeId: 'bob', minutesSpent: 3 }, 'output-o-1'],
    ['training.completed', { employeeId: 'alice', courseId: 'c-1' }, 'employee-alice'],
    ['employee.assigned', { employeeId: 'alice', teamId: 'platform' }, 'employee-alice'],
    ['training.course_registered', { courseId: 'c-1', title: 't', skills: [], costPerSeat: 1, currency: 'EUR' }, 'course-c-1'],
  ])('given %s, then the key is the entity stream', (type, data, key) => {
    expect(partitionKeyFor({ ...event, type, data })).toBe(key);
  });

  it('given an event whose entity cannot be told, then its id is the key', () => {
    expect(partitionKeyFor({ ...event, type: 'ai.output.liked' })).toBe('evt-1');
    expect(partitionKeyFor({ ...event, type: 'ai.output.generated', data: { employeeId: 'x' } })).toBe('evt-1');
    expect(partitionKeyFor({ type: 'nothing' })).toBeNull();
  });
});

describe('encodeCloudEvent', () => {
  it('given binary mode, then attributes are ce_* headers, the tenant added when absent, the data JSON in the value', () => {
    expect(encodeCloudEvent({ ...event, subject: 'course' }, { mode: 'binary', tenant: 'acme' })).toEqual({
      key: 'employee-alice',
      headers: {
        ce_specversion: '1.0',
        ce_id: 'evt-1',
        ce_source: 'urn:tool',
        ce_type: 'training.completed',
        ce_time: '2026-03-02T10:00:00Z',
        ce_subject: 'course',
        ce_tenant: 'acme',
        'content-type': 'application/json',
      },
      value: Buffer.from(JSON.stringify(event.data)),
    });
  });

  it('given an event that names its tenant, then the option does not override it', () => {
    expect(encodeCloudEvent({ ...event, tenant: 'globex' }, { mode: 'binary', tenant: 'acme' }).headers['ce_tenant']).toBe('globex');
  });

  it('given structured mode, then the value is the whole event and the content type says so', () => {
    const encoded = encodeCloudEvent(event, { mode: 'structured', tenant: 'acme' });
    expect(encoded.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(JSON.parse(encoded.value.toString())).toEqual({ ...event, tenant: 'acme' });
  });
});

describe('toKafkaJsConfig', () => {
  it('given TLS and SCRAM, then kafkajs gets both', () => {
    const config = toKafkaJsConfig({ brokers: ['b1:9093', 'b2:9093'], clientId: 'ledger', ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(config).toMatchObject({ clientId: 'ledger', brokers: ['b1:9093', 'b2:9093'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('given neither, then plaintext without SASL', () => {
    const config = toKafkaJsConfig({ brokers: ['127.0.0.1:9092'], clientId: 'ledger', ssl: false });
    expect(config.ssl).toBe(false);
    expect(config.sasl).toBeUndefined();
  });
});

describe('toCloudEventJson', () => {
  it('gives a validated event back its CloudEvents form, with the tenant as the extension', () => {
    expect(
      toCloudEventJson('acme', { tenant: 'acme', id: 'e', source: 's', type: 'employee.assigned', time: new Date('2026-03-02T10:00:00Z'), data: { employeeId: 'a', teamId: 't' } }),
    ).toEqual({
      specversion: '1.0',
      id: 'e',
      source: 's',
      type: 'employee.assigned',
      time: '2026-03-02T10:00:00.000Z',
      tenant: 'acme',
      datacontenttype: 'application/json',
      data: { employeeId: 'a', teamId: 't' },
    });
  });
});
