import { EVENT_TYPES } from '@rework-ledger/domain';
import Ajv2020 from 'ajv/dist/2020';
import { getMetadataStorage } from 'class-validator';
import { UsageRecordedData } from './event-data';
import { VALIDATE_IF_CONDITIONS } from './validate-if-conditions';

// Each condition stated in JSON Schema against the @ValidateIf function it stands for, on every combination of the
// values the function reads, as class-validator calls it (an instance with the declared own properties only).

type Condition = (object: object, value: unknown) => boolean;

const ABSENT = Symbol('absent');
const VALUES: unknown[] = [ABSENT, undefined, null, true, false, 'true', 'false', 0, 1, -0, NaN, '', 's', 'USD', '2026-03-01T08:00:00Z', [], {}, new Boolean(true), new String('s')];

/** The @ValidateIf functions of a class, by property. */
function validateIfFunctions(cls: new () => object): Map<string, Condition> {
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const conditional = rules.filter((rule) => rule.type === 'conditionalValidation' && rule.name === undefined);
  return new Map(conditional.map((rule) => [rule.propertyName, rule.constraints[0] as Condition]));
}

/** The instance class-validator is given (event-validator.ts's asInstanceOf): the declared own properties, copied. */
function instanceOf(cls: new () => object, plain: Record<string, unknown>): object {
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((rule) => rule.propertyName));
  const instance = Object.create(cls.prototype) as object;
  for (const name of Object.keys(plain)) {
    if (declared.has(name)) Object.defineProperty(instance, name, { value: plain[name], enumerable: true, writable: true, configurable: true });
  }
  return instance;
}

/** The condition's answer on the data, and the properties it read to give it (a Proxy records them). */
function evaluate(condition: Condition, cls: new () => object, data: Record<string, unknown>, property: string): { holds: boolean; read: Set<string> } {
  const read = new Set<string>();
  const recorded = new Proxy(instanceOf(cls, data), {
    get: (target, key, receiver) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  return { holds: condition(recorded, data[property]), read };
}

/** Every assignment of VALUES to the names, ABSENT leaving a name out. */
function combinations(names: readonly string[]): Record<string, unknown>[] {
  return names.reduce<Record<string, unknown>[]>(
    (partial, name) => partial.flatMap((data) => VALUES.map((value) => (value === ABSENT ? data : { ...data, [name]: value }))),
    [{}],
  );
}

describe('the @ValidateIf conditions stated in JSON Schema', () => {
  const ajv = new Ajv2020({ ownProperties: true, strict: true, strictTypes: false });

  it('are stated for every @ValidateIf of the usage data, and for nothing else', () => {
    expect([...VALIDATE_IF_CONDITIONS.keys()]).toEqual([UsageRecordedData]);
    expect(Object.keys(VALIDATE_IF_CONDITIONS.get(UsageRecordedData) ?? {}).sort()).toEqual([...validateIfFunctions(UsageRecordedData).keys()].sort());
    expect(EVENT_TYPES).toContain('ai.usage.recorded');
  });

  for (const [cls, conditions] of VALIDATE_IF_CONDITIONS) {
    for (const [property, schema] of Object.entries(conditions)) {
      it(`given every combination of what it reads, then ${cls.name}.${property}'s condition holds exactly when the function returns true`, () => {
        const condition = validateIfFunctions(cls).get(property);
        if (condition === undefined) throw new Error(`${cls.name}.${property} has no @ValidateIf`);
        const read = [...evaluate(condition, cls, {}, property).read];
        // A function that read more than two properties would want a larger grid (and a new hand check).
        expect(read.length).toBeGreaterThan(0);
        expect(read.length).toBeLessThanOrEqual(2);
        const holds = ajv.compile(schema);
        let held = 0;
        const cases = combinations(read);
        for (const data of cases) {
          const expected = evaluate(condition, cls, data, property);
          try {
            // Whatever the values, it reads nothing beyond the grid's properties.
            expect([...expected.read].filter((name) => !read.includes(name))).toEqual([]);
            expect(holds(data)).toBe(expected.holds);
          } catch (error) {
            throw new Error(`${JSON.stringify(data)}: ${(error as Error).message}`);
          }
          if (expected.holds) held++;
        }
        // Both sides of the condition occur (it fails only when both values are missing or null: 3 × 3 cases).
        expect(held).toBeGreaterThan(100);
        expect(cases.length - held).toBeGreaterThanOrEqual(9);
      });
    }
  }
});
