import { EVENT_TYPES } from '@rework-ledger/domain';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventSchemas } from './json-schemas';

const PUBLISHED = join(__dirname, '..', '..', '..', '..', 'docs', 'schemas');

describe('JSON Schemas of event contract v1', () => {
  const schemas = buildEventSchemas();

  it.each(EVENT_TYPES.map((type) => [type]))('the published schema of %s is the one generated from the validator (run `npm run schemas` after a contract change)', (type) => {
    const published = JSON.parse(readFileSync(join(PUBLISHED, `${type}.schema.json`), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(schemas[type])));
  });

  it('carries the validator rules: required fields, limits and enums', () => {
    const generated = schemas['ai.output.generated'] as { required: string[]; properties: Record<string, any> };
    expect(generated.required).toEqual(expect.arrayContaining(['specversion', 'id', 'source', 'type', 'time', 'data']));
    expect(generated.properties['type']).toEqual({ type: 'string', const: 'ai.output.generated' });
    const data = generated.properties['data'];
    expect(data.required).toEqual(expect.arrayContaining(['outputId', 'employeeId', 'tool', 'taskType']));
    expect(data.properties.outputId).toMatchObject({ type: 'string', maxLength: 200, minLength: 1 });
    expect(data.properties.taskType.enum).toEqual(['drafting', 'analysis', 'decision-support', 'automation', 'coding', 'other']);
    const rework = (schemas['ai.output.corrected'] as any).properties.data.properties.minutesSpent;
    expect(rework).toMatchObject({ type: 'number', minimum: 0, maximum: 1440 });
  });
});
