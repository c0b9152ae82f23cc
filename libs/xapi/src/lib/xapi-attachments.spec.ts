import { type AttachmentContent, checkSignatures, SIGNATURE_USAGE_TYPE } from './xapi-attachments';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = { actor: { mbox: 'mailto:ann@acme.test' }, verb: { id: 'http://v.test/x' }, object: { id: 'http://a.test/1' }, result: { duration: 'PT1.2345S' } };

/** The statement as sent with a signature attachment whose part holds this JWS. */
function withSignature(jws: string, statement: Record<string, unknown> = signed) {
  const sha2 = 'sig-sha2';
  const parts = new Map<string, AttachmentContent>([[sha2, { sha2, contentType: 'application/octet-stream', content: Buffer.from(jws) }]]);
  const attachment = { usageType: SIGNATURE_USAGE_TYPE, display: { en: 'signature' }, contentType: 'application/octet-stream', length: jws.length, sha2 };
  return { statement: { ...statement, attachments: [attachment] }, parts };
}

describe('checkSignatures (signed statements, xAPI 1.0.3 Data 2.6)', () => {
  it('given a compact JWS signed RS256 whose payload is the statement, then it is accepted, durations compared to the hundredth', () => {
    const { statement, parts } = withSignature(`${encode({ alg: 'RS256' })}.${encode({ ...signed, result: { duration: 'PT1.23S' } })}.c2ln`);
    expect(() => checkSignatures({ ...statement, authority: { mbox: 'mailto:lrs@acme.test' }, stored: '2026-01-01T00:00:00Z' }, parts, 0)).not.toThrow();
  });

  it.each([
    ['another algorithm', `${encode({ alg: 'HS256' })}.${encode(signed)}.c2ln`, 'algorithm'],
    ['not a JWS', 'just text', 'compact'],
    ['a payload of another statement', `${encode({ alg: 'RS512' })}.${encode({ ...signed, verb: { id: 'http://v.test/other' } })}.c2ln`, 'payload'],
  ])('given %s, then the statement is refused (XAPI.INVALID_SIGNATURE)', (_, jws, reason) => {
    const { statement, parts } = withSignature(jws);
    expect(() => checkSignatures(statement, parts, 0)).toThrow(expect.objectContaining({ code: 'XAPI.INVALID_SIGNATURE', message: expect.stringContaining(reason) }));
  });
});
