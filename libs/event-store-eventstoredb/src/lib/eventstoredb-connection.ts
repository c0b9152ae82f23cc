import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult,
  BACKWARDS,
  type Direction,
  END,
  EventStoreDBClient,
  type Filter,
  type JSONEventData,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  START,
} from '@eventstore/db-client';
import type { ReadableOptions } from 'node:stream';
// The client's own building blocks of a read of $all (see readAllFiltered below).
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';

export type FilteredReadAllOptions = Readonly<{ fromPosition: ReadPosition; maxCount: number; direction: Direction; filter: Filter }>;

/**
 * What the adapter uses of an EventStoreDB client: the public API of `@eventstore/db-client`, plus a read of `$all`
 * with a server-side filter. A test double implements the same (see `createInMemoryEventStoreDb`).
 */
export interface EventStoreDbConnection {
  appendToStream(streamName: string, events: JSONEventData[], options: { expectedRevision: AppendExpectedRevision }): Promise<AppendResult>;
  /** Throws the client's StreamNotFoundError (while iterating) when the stream does not exist. */
  readStream(streamName: string, options: { fromRevision: ReadRevision; maxCount: number | bigint; direction: Direction }): AsyncIterable<ResolvedEvent>;
  readAllFiltered(options: FilteredReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: { fromPosition: ReadPosition; filter: Filter }, readableOptions: ReadableOptions): AllStreamSubscription;
  dispose(): Promise<void>;
}

/**
 * The connection strings the configuration accepts: `esdb://` and `esdb+discover://`, and KurrentDB's `kurrentdb://`
 * and `kurrent://` (same protocol and options), which `@eventstore/db-client` 6 does not parse itself.
 */
export function toEsdbConnectionString(connectionString: string): string {
  return connectionString.replace(/^(kurrentdb|kurrent)(\+discover)?:\/\//, (_, _scheme: string, discover?: string) => `esdb${discover ?? ''}://`);
}

type ClientInternals = {
  GRPCStreamCreator: (Client: typeof StreamsClient, debugName: string, creator: (client: StreamsClient) => unknown) => () => Promise<never>;
  callArguments: (options: Record<string, never>, callOptions: { deadline: number }) => unknown[];
};

/**
 * The read request of `$all` with a server-side filter: the client's `readAll` (6.2) with the filter options that its
 * `subscribeToAll` sends. The server has supported filtered reads since 21.10; the 6.x client only exposes them on
 * subscriptions (its successor, `@kurrent/kurrentdb-client`, has `readAll({ filter })`).
 */
export function buildFilteredReadAllRequest({ fromPosition, maxCount, direction, filter }: FilteredReadAllOptions): ReadReq {
  const options = new ReadReq.Options();
  const all = new ReadReq.Options.AllOptions();
  if (fromPosition === START) all.setStart(new Empty());
  else if (fromPosition === END) all.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(fromPosition.commit.toString(10));
    position.setPreparePosition(fromPosition.prepare.toString(10));
    all.setPosition(position);
  }
  options.setAll(all);
  options.setResolveLinks(false);
  options.setCount(maxCount.toString(10));
  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  options.setUuidOption(uuidOption);
  options.setReadDirection(direction === BACKWARDS ? 1 : 0);

  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
  if ('regex' in filter) expression.setRegex(filter.regex);
  const filterOptions = new ReadReq.Options.FilterOptions();
  if (filter.filterOn === 'streamName') filterOptions.setStreamIdentifier(expression);
  else filterOptions.setEventType(expression);
  // The search window: how many events the server may skip while looking for matches before it answers.
  if (typeof filter.maxSearchWindow === 'number') filterOptions.setMax(filter.maxSearchWindow);
  else filterOptions.setCount(new Empty());
  filterOptions.setCheckpointintervalmultiplier(filter.checkpointInterval);
  options.setFilter(filterOptions);

  const request = new ReadReq();
  request.setOptions(options);
  return request;
}

/** Connects (lazily, at the first call) to EventStoreDB or KurrentDB. The caller disposes of the connection. */
export function connectEventStoreDb(connectionString: string): EventStoreDbConnection {
  const client = EventStoreDBClient.connectionString(toEsdbConnectionString(connectionString));
  const internals = client as unknown as ClientInternals;
  return {
    appendToStream: (streamName, events, options) => client.appendToStream(streamName, events, options),
    readStream: (streamName, options) => client.readStream(streamName, options),
    readAllFiltered(options) {
      const request = buildFilteredReadAllRequest(options);
      const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpc) =>
        grpc.read(request, ...(internals.callArguments({}, { deadline: Infinity }) as [never, never])),
      );
      return new ReadStream<AllStreamResolvedEvent>(createStream, convertGrpcEvent, {});
    },
    subscribeToAll: (options, readableOptions) => client.subscribeToAll(options, readableOptions),
    dispose: () => client.dispose(),
  };
}

