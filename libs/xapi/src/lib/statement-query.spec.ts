import { canonicalFormat, encodeCursor, idsFormat, readStatementRequest } from './statement-query';

const statement = {
  id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
  actor: { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@acme.test' },
  verb: { id: 'http://v.test/attended', display: { 'en-US': 'attended', 'en-GB': 'attended (GB)', fr: 'a assisté' } },
  object: { objectType: 'Activity', id: 'http://a.test/1', definition: { name: { 'en-US': 'Meeting', fr: 'Réunion' } } },
  context: { extensions: { 'http://e.test/name': { 'en-US': 'kept' } } },
};

describe('GET /statements parameters and formats', () => {
  it('given statementId with a filter, an unknown parameter or a malformed value, then each is a 400 naming it', () => {
    expect(() => readStatementRequest({ statementId: statement.id, verb: 'http://v.test/x' })).toThrow(expect.objectContaining({ field: 'statementId' }));
    expect(() => readStatementRequest({ colour: 'blue' })).toThrow(expect.objectContaining({ field: 'colour' }));
    expect(() => readStatementRequest({ since: 'yesterday' })).toThrow(expect.objectContaining({ field: 'since' }));
    expect(() => readStatementRequest({ agent: '{"mbox":"mailto:a@b.test","openid":"http://id.test/a"}' })).toThrow(expect.objectContaining({ field: 'agent' }));
  });

  it('given a page asked, then its more cursor reads back as the same query after the last statement', () => {
    const asked = readStatementRequest({ verb: 'http://v.test/x', since: '2026-01-01T00:00:00Z', limit: '2' });
    if (asked.kind !== 'query') throw new Error('a query');
    const through = new Date('2026-02-01T00:00:00Z');
    expect(readStatementRequest({ more: encodeCursor(asked, '42', through) })).toEqual({ ...asked, afterSeq: '42', through });
    expect(() => readStatementRequest({ more: 'not-a-cursor' })).toThrow(expect.objectContaining({ field: 'more' }));
  });

  it('given format=ids, then agents, verbs and activities are reduced to their identifiers', () => {
    expect(idsFormat(statement)).toMatchObject({ actor: { objectType: 'Agent', mbox: 'mailto:ann@acme.test' }, verb: { id: 'http://v.test/attended' } });
    expect(idsFormat(statement)['object']).toEqual({ id: 'http://a.test/1' });
    expect(idsFormat(statement)['actor']).not.toHaveProperty('name');
  });

  it('given format=canonical, then each language map keeps the language Accept-Language prefers, else its first; extensions are left alone', () => {
    const british = canonicalFormat(statement, 'en-GB, fr;q=0.5');
    expect(british).toMatchObject({ verb: { display: { 'en-GB': 'attended (GB)' } }, object: { definition: { name: { 'en-US': 'Meeting' } } } });
    expect(Object.keys((british['verb'] as { display: object }).display)).toEqual(['en-GB']);
    expect(canonicalFormat(statement, 'fr')).toMatchObject({ verb: { display: { fr: 'a assisté' } }, object: { definition: { name: { fr: 'Réunion' } } } });
    expect(canonicalFormat(statement, undefined)).toMatchObject({ verb: { display: { 'en-US': 'attended' } }, context: { extensions: { 'http://e.test/name': { 'en-US': 'kept' } } } });
  });
});
