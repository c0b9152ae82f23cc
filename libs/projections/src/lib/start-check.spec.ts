import { rebuildNeededAtStart } from './start-check';

describe('rebuild needed at start?', () => {
  const current = { version: 3, storeKind: 'postgres' };

  it('given a read model built by this version from this store, then no rebuild', () => {
    expect(rebuildNeededAtStart({ projectionVersion: 3, eventStore: 'postgres' }, current)).toBeUndefined();
  });

  it('given a checkpoint recorded before stores were (no store), then it is taken as this store\'s', () => {
    expect(rebuildNeededAtStart({ projectionVersion: 3, eventStore: null }, current)).toBeUndefined();
  });

  it('given a checkpoint of another event store, then a rebuild (a position in one log means nothing in another)', () => {
    expect(rebuildNeededAtStart({ projectionVersion: 3, eventStore: 'eventstoredb' }, current)).toBe('another event store');
  });

  it('given a read model built by another version, or by none recorded, then a rebuild', () => {
    expect(rebuildNeededAtStart({ projectionVersion: 2, eventStore: 'postgres' }, current)).toBe('another version');
    expect(rebuildNeededAtStart({ projectionVersion: 4, eventStore: 'postgres' }, current)).toBe('another version');
    expect(rebuildNeededAtStart({ projectionVersion: null, eventStore: 'postgres' }, current)).toBe('another version');
  });
});
