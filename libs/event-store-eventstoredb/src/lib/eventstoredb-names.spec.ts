import { eventStoreDbEventId, eventStoreDbStreamName, parseEventStoreDbStreamName, tenantStreamPrefix, uuidV5 } from './eventstoredb-names';

describe('EventStoreDB stream names', () => {
  it('given a tenant and a stream, when named, then the name parses back to both', () => {
    expect(eventStoreDbStreamName('acme', 'output-o-1')).toBe('rl/acme/output-o-1');
    for (const [tenant, streamId] of [
      ['acme', 'output-o-1'],
      ['a/b:c%d', 'employee-x/y'],
      ['ünï', 'course-$weird'],
    ]) {
      expect(parseEventStoreDbStreamName(eventStoreDbStreamName(tenant, streamId))).toEqual({ tenant, streamId });
    }
  });

  it('given a tenant whose id starts like another, when filtering by prefix, then only its own streams match', () => {
    const prefix = tenantStreamPrefix('acme');
    expect(eventStoreDbStreamName('acme', 's').startsWith(prefix)).toBe(true);
    expect(eventStoreDbStreamName('acme/x', 's').startsWith(prefix)).toBe(false);
    expect(eventStoreDbStreamName('acme-corp', 's').startsWith(prefix)).toBe(false);
  });

  it('given streams outside the scheme, when parsed, then they are not the ledger’s', () => {
    for (const name of ['$stats-127.0.0.1:2113', 'output-1', 'rl/', 'rl/acme', 'rl/acme/', 'rl//s', 'rl/%E0%A4%A/s']) {
      expect(parseEventStoreDbStreamName(name)).toBeUndefined();
    }
  });
});

describe('EventStoreDB event ids', () => {
  it('given the RFC 4122 example, when computing a UUID v5, then it matches the known value', () => {
    // uuid v5 of "www.example.com" in the DNS namespace
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('given the same identity, when computing ids, then they are equal; another tenant, source or id gives another', () => {
    const id = eventStoreDbEventId('acme', 'urn:a', 'e-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventStoreDbEventId('acme', 'urn:a', 'e-1')).toBe(id);
    expect(new Set([id, eventStoreDbEventId('acme2', 'urn:a', 'e-1'), eventStoreDbEventId('acme', 'urn:b', 'e-1'), eventStoreDbEventId('acme', 'urn:a', 'e-2')]).size).toBe(4);
    // No ambiguity where one field ends and the next begins.
    expect(eventStoreDbEventId('a', 'bc', 'd')).not.toBe(eventStoreDbEventId('ab', 'c', 'd'));
  });
});
