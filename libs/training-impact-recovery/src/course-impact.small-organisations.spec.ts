import { preset } from '@rework-ledger/demo-data';
import { coverage, ORGANISATIONS, report } from './synthetic-course.test-support';

// A file of its own so that jest runs it beside the larger organisations' coverage.
describe('recovery of the true effect on small organisations', () => {
  it(`given ${ORGANISATIONS} small organisations (30 employees, 70 % trained), when estimated, then the CI covers the true ATT in ≥ 90 and is wider than the trainee-only one`, () => {
    const result = coverage((seed) => preset('small', { seed, tenant: `small-${seed}` }));
    report('30 employees, 70 % trained', result);
    expect(result.employees).toBeGreaterThanOrEqual(90);
    // Resampling trainees alone ignores the noise of the control means.
    expect(result.meanWidth.employees).toBeGreaterThan(result.meanWidth.trainees);
  }, 300_000);
});
