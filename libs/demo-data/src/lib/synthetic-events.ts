import type { EventDataByType, EventType } from '@rework-ledger/domain';

/**
 * A structured-mode CloudEvents 1.0 event of contract v1, without a `tenant` attribute. Its `data` is of the domain's
 * type for its `type` (`libs/domain/src/lib/events.ts`): the generator writes no shape of its own.
 */
export type SyntheticCloudEvent<TType extends EventType = EventType> = {
  [T in TType]: Readonly<{
    specversion: '1.0';
    id: string;
    source: string;
    type: T;
    time: string;
    data: Readonly<EventDataByType[T]>;
  }>;
}[TType];
