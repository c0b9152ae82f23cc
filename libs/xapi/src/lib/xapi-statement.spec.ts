import { validateStatement } from './xapi-statement';

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const statement = (overrides: Record<string, unknown> = {}) => ({
  actor: { mbox: 'mailto:alice@acme.test' },
  verb: { id: COMPLETED },
  object: { id: 'https://lms.test/courses/prompting' },
  ...overrides,
});
const errorsOf = (raw: unknown) => {
  const result = validateStatement(raw);
  return result.ok ? [] : result.errors;
};

describe('validateStatement', () => {
  it.each([
    ['a NUL in an unmapped field', statement({ result: { response: 'a\u0000b' } }), 'FIELD.INVALID_CHARACTERS', 'result.response'],
    ['a lone surrogate in an extension', statement({ context: { extensions: { 'https://x.test/e': '\ud800' } } }), 'FIELD.INVALID_CHARACTERS', 'context.extensions.https://x.test/e'],
    ['a property named __proto__', statement({ context: JSON.parse('{"__proto__": {"x": 1}}') }), 'FIELD.RESERVED_NAME', 'context.__proto__'],
  ])('given %s (which PostgreSQL cannot store, issue 14), then it is refused', (_, raw, code, field) => {
    expect(errorsOf(raw)).toContainEqual(expect.objectContaining({ code, field }));
  });

  it('given a minimal statement (mbox actor, verb, activity), then it is valid and read as such', () => {
    const result = validateStatement(statement({ timestamp: '2026-03-02T10:00:00+01:00', result: { score: { scaled: 0.8 } } }));
    expect(result).toEqual({
      ok: true,
      statement: {
        actor: { mbox: 'mailto:alice@acme.test' },
        verbId: COMPLETED,
        object: { objectType: 'Activity', id: 'https://lms.test/courses/prompting' },
        timestamp: '2026-03-02T10:00:00+01:00',
        scaledScore: 0.8,
        raw: expect.any(Object),
      },
    });
  });

  it('given an account actor, then the account is read', () => {
    const result = validateStatement(statement({ id: 'F1C2D3E4-0000-4000-8000-000000000001', actor: { objectType: 'Agent', account: { homePage: 'https://lms.test', name: 'a.smith' } } }));
    expect(result.ok && result.statement.actor).toEqual({ account: { homePage: 'https://lms.test', name: 'a.smith' } });
    expect(result.ok && result.statement.id).toBe('F1C2D3E4-0000-4000-8000-000000000001');
  });

  // The actor of a statement that is no completion is the xAPI rules' (statementRuleErrors, at the edge): here only a
  // completion's actor must be a person this LRS resolves (mbox or account).
  it('given a statement other than a completion with an openid actor, then it is valid, its actor kept by its identifier for the derived id', () => {
    const result = validateStatement(statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/attended' }, actor: { openid: 'https://id.test/alice' } }));
    expect(result.ok && result.statement.actor).toEqual({ account: { homePage: 'urn:rework-ledger:xapi:actor', name: '{"openid":"https://id.test/alice"}' } });
  });

  it('given a statement that breaks several rules, then every reason is given with its field', () => {
    expect(errorsOf({ id: 'not-a-uuid', actor: {}, verb: { id: 'completed' }, object: {}, timestamp: '2026-03-02 10:00', result: { score: { scaled: 2 } } })).toEqual([
      { code: 'FIELD.NOT_A_UUID', message: 'id must be a UUID', field: 'id' },
      { code: 'FIELD.NOT_RFC3339', message: 'timestamp must be an RFC 3339 timestamp', field: 'timestamp' },
      { code: 'FIELD.NOT_AN_IRI', message: 'verb.id must be an IRI', field: 'verb.id' },
      { code: 'FIELD.REQUIRED', message: 'object.id is required', field: 'object.id' },
      { code: 'FIELD.OUT_OF_RANGE', message: 'result.score.scaled must not be greater than 1', field: 'result.score.scaled' },
    ]);
  });

  it('given missing actor, verb and object, then each is required', () => {
    expect(errorsOf({}).map((e) => [e.code, e.field])).toEqual([
      ['FIELD.REQUIRED', 'actor'],
      ['FIELD.REQUIRED', 'verb'],
      ['FIELD.REQUIRED', 'object'],
    ]);
  });

  it('given something other than an object, then it is not a statement', () => {
    expect(errorsOf('hello')).toEqual([{ code: 'XAPI.NOT_A_STATEMENT', message: 'a statement must be a JSON object' }]);
    expect(errorsOf([statement()])).toEqual([{ code: 'XAPI.NOT_A_STATEMENT', message: 'a statement must be a JSON object' }]);
  });

  it('given actors this LRS cannot identify, then they are rejected with the reason', () => {
    expect(errorsOf(statement({ actor: { mbox: 'alice@acme.test' } }))).toEqual([{ code: 'FIELD.NOT_A_MAILTO', message: 'actor.mbox must be a mailto: IRI', field: 'actor.mbox' }]);
    expect(errorsOf(statement({ actor: { mbox: 'mailto:a@acme.test', account: { homePage: 'https://lms.test', name: 'a' } } }))[0].code).toBe('XAPI.AMBIGUOUS_ACTOR');
    expect(errorsOf(statement({ actor: { openid: 'https://id.test/alice' } }))[0].code).toBe('XAPI.UNSUPPORTED_ACTOR');
    expect(errorsOf(statement({ actor: { objectType: 'Group', mbox: 'mailto:team@acme.test' } }))).toEqual([
      { code: 'XAPI.UNSUPPORTED_ACTOR', message: 'actor.objectType must be "Agent" (groups are not supported)', field: 'actor.objectType' },
    ]);
    expect(errorsOf(statement({ actor: { account: { homePage: 'lms', name: '' } } }))).toEqual([
      { code: 'FIELD.NOT_AN_IRI', message: 'actor.account.homePage must be an IRI', field: 'actor.account.homePage' },
      { code: 'FIELD.EMPTY', message: 'actor.account.name should not be empty', field: 'actor.account.name' },
    ]);
  });

  it('given a StatementRef object, then it is valid for other verbs and not for a completion', () => {
    const voiding = { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: 'f1c2d3e4-0000-4000-8000-000000000001' } };
    expect(validateStatement(statement(voiding)).ok).toBe(true);
    expect(errorsOf(statement({ ...voiding, object: { objectType: 'StatementRef', id: 'x' } }))[0]).toEqual({ code: 'FIELD.NOT_A_UUID', message: 'object.id must be a UUID', field: 'object.id' });
    expect(errorsOf(statement({ object: voiding.object }))).toEqual([
      { code: 'XAPI.NOT_AN_ACTIVITY', message: 'the object of a completion must be an Activity', field: 'object.objectType' },
    ]);
    expect(errorsOf(statement({ object: { objectType: 'Thing', id: 'urn:x' } }))[0].code).toBe('FIELD.NOT_ALLOWED');
  });

  it('given a timestamp that looks like RFC 3339 but is no date, then it is rejected', () => {
    expect(errorsOf(statement({ timestamp: '2026-02-30T25:00:00Z' })).map((e) => e.field)).toEqual(['timestamp']);
  });
});
