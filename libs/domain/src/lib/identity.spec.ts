import { identityLinkOf, latestIdentityLinks, normaliseIdentifier } from './identity';

describe('normaliseIdentifier', () => {
  it('strips mailto:, trims and lower-cases emails', () => {
    expect(normaliseIdentifier('  mailto:Alice@Example.COM ')).toBe('alice@example.com');
    expect(normaliseIdentifier('MAILTO:bob@x.test')).toBe('bob@x.test');
    expect(normaliseIdentifier('Carol@X.test')).toBe('carol@x.test');
  });

  it('keeps other identifiers as sent, but lower-cases those of case-insensitive systems', () => {
    expect(normaliseIdentifier('E-123')).toBe('E-123');
    expect(normaliseIdentifier(' E-123 ')).toBe('E-123');
    expect(normaliseIdentifier('Alice-Dev', 'github')).toBe('alice-dev');
    expect(normaliseIdentifier('Alice-Dev', 'lms')).toBe('Alice-Dev');
    expect(normaliseIdentifier('Alice@X.test', 'EMAIL')).toBe('alice@x.test');
  });

  it('keeps an identifier that would normalise to nothing as sent', () => {
    expect(normaliseIdentifier('   ')).toBe('   ');
    expect(normaliseIdentifier('mailto:')).toBe('mailto:');
  });
});

describe('identity links', () => {
  it('normalise both sides of a link', () => {
    expect(identityLinkOf('t', { employeeId: ' e-1 ', system: 'email', externalId: 'mailto:Alice@X.test' })).toEqual({ tenant: 't', identifier: 'alice@x.test', employeeId: 'e-1' });
  });

  it('keep the latest link of each identifier, per tenant, in store order', () => {
    const links = latestIdentityLinks([
      { tenant: 't', identifier: 'a', employeeId: 'e-1' },
      { tenant: 'u', identifier: 'a', employeeId: 'e-9' },
      { tenant: 't', identifier: 'b', employeeId: 'e-2' },
      { tenant: 't', identifier: 'a', employeeId: 'e-3' },
    ]);
    expect(links).toEqual([
      { tenant: 'u', identifier: 'a', employeeId: 'e-9' },
      { tenant: 't', identifier: 'b', employeeId: 'e-2' },
      { tenant: 't', identifier: 'a', employeeId: 'e-3' },
    ]);
  });
});
