import { normalizedStatement, statementRuleErrors } from './xapi-statement.rules';

const statement = (overrides: Record<string, unknown> = {}) => ({
  actor: { objectType: 'Agent', name: 'xAPI mbox', mbox: 'mailto:xapi@adlnet.gov' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { 'en-GB': 'attended', 'en-US': 'attended' } },
  object: { objectType: 'Activity', id: 'http://www.example.com/meetings/occurances/34534' },
  ...overrides,
});
const fieldsOf = (raw: unknown, version: '1.0.3' | '2.0.0' = '1.0.3') => statementRuleErrors(raw, version).map((error) => error.field);

describe('statementRuleErrors (the xAPI rules an LRS enforces)', () => {
  it.each([
    ['an Agent by mbox', statement()],
    ['an Agent by openid', statement({ actor: { openid: 'http://openid.example.org/12345' } })],
    ['an Agent by mbox_sha1sum', statement({ actor: { mbox_sha1sum: 'cd9b00a5611f94eaa7b1661edab976068e364975' } })],
    ['an identified Group with members', statement({ actor: { objectType: 'Group', account: { homePage: 'http://lms.test', name: 'team' }, member: [{ mbox: 'mailto:a@b.test' }] } })],
    ['an anonymous Group', statement({ actor: { objectType: 'Group', member: [{ mbox: 'mailto:a@b.test' }, { openid: 'http://id.test/b' }] } })],
    ['a SubStatement', statement({ object: { objectType: 'SubStatement', actor: { mbox: 'mailto:a@b.test' }, verb: { id: 'http://v.test/x' }, object: { id: 'http://a.test/1' } } })],
    ['a choice interaction', statement({ object: { id: 'http://a.test/q', definition: { interactionType: 'choice', correctResponsesPattern: ['a'], choices: [{ id: 'a', description: { en: 'A' } }] } } })],
    ['a duration in weeks', statement({ result: { duration: 'P4W' } })],
    ['a full result and context', statement({ result: { score: { scaled: 0.5, raw: 5, min: 0, max: 10 }, success: true, duration: 'PT1H30M', extensions: { 'http://e.test/x': null } }, context: { registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7', contextActivities: { parent: { id: 'http://a.test/p' } }, language: 'en-US', platform: 'LMS' } })],
    ['a voiding statement', statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7' } })],
  ])('given %s, then it is valid', (_, raw) => {
    expect(statementRuleErrors(raw, '1.0.3')).toEqual([]);
  });

  it.each([
    ['an Agent with two identifiers', statement({ actor: { mbox: 'mailto:a@b.test', openid: 'http://id.test/a' } }), 'actor'],
    ['an mbox without mailto:', statement({ actor: { mbox: 'a@b.test' } }), 'actor.mbox'],
    ['an account without homePage', statement({ actor: { account: { name: 'x' } } }), 'actor.account.homePage'],
    ['an anonymous Group without members', statement({ actor: { objectType: 'Group' } }), 'actor.member'],
    ['a key in the wrong case', statement({ Verb: { id: 'http://v.test/x' } }), 'Verb'],
    ['a null outside extensions', statement({ result: { success: null } }), 'result.success'],
    ['a language tag that is none', statement({ verb: { id: 'http://v.test/x', display: { 'not a tag': 'x' } } }), 'verb.display.not a tag'],
    ['an interaction type in the wrong case', statement({ object: { id: 'http://a.test/q', definition: { interactionType: 'Choice' } } }), 'object.definition.interactionType'],
    ['components without an interaction type', statement({ object: { id: 'http://a.test/q', definition: { choices: [] } } }), 'object.definition.interactionType'],
    ['a duration that is none', statement({ result: { duration: 'one hour' } }), 'result.duration'],
    ['weeks with days (ISO 8601 weeks stand alone)', statement({ result: { duration: 'P4W1D' } }), 'result.duration'],
    ['a raw score over max', statement({ result: { score: { raw: 11, max: 10 } } }), 'result.score.raw'],
    ['a platform with an Agent object', statement({ object: { objectType: 'Agent', mbox: 'mailto:a@b.test' }, context: { platform: 'x' } }), 'context.platform'],
    ['an extension key that is no IRI', statement({ context: { extensions: { key: 1 } } }), 'context.extensions.key'],
    ['a UUID of no RFC 4122 variant', statement({ id: 'ec531277-b57b-4c15-cd91-d292c5b2b8f7' }), 'id'],
    ['a voiding statement of an Activity', statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }), 'object'],
    ['a SubStatement with an id', statement({ object: { objectType: 'SubStatement', id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7', actor: { mbox: 'mailto:a@b.test' }, verb: { id: 'http://v.test/x' }, object: { id: 'http://a.test/1' } } }), 'object.id'],
  ])('given %s, then it is refused, naming the field', (_, raw, field) => {
    expect(fieldsOf(raw)).toContain(field);
  });

  it('given a timestamp without offset, then 1.0.3 takes it and 2.0.0 (RFC 3339) refuses it; -00:00 neither', () => {
    expect(fieldsOf(statement({ timestamp: '2026-03-02T10:00:00' }), '1.0.3')).toEqual([]);
    expect(fieldsOf(statement({ timestamp: '2026-03-02T10:00:00' }), '2.0.0')).toEqual(['timestamp']);
    expect(fieldsOf(statement({ timestamp: '2026-03-02T10:00:00-00:00' }), '1.0.3')).toEqual(['timestamp']);
  });

  it('given context agents, then 2.0.0 checks them and 1.0.3 does not know the property', () => {
    const raw = statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:a@b.test' }, relevantTypes: ['http://t.test/x'] }] } });
    expect(fieldsOf(raw, '2.0.0')).toEqual([]);
    expect(fieldsOf(raw, '1.0.3')).toEqual(['context.contextAgents']);
  });

  it('given a context activity given alone, then the statement stored holds it in an array', () => {
    const raw = statement({ context: { contextActivities: { parent: { id: 'http://a.test/p' }, other: [{ id: 'http://a.test/o' }] } } });
    expect(normalizedStatement(raw)).toEqual({ ...raw, context: { contextActivities: { parent: [{ id: 'http://a.test/p' }], other: [{ id: 'http://a.test/o' }] } } });
  });
});
