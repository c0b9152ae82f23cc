import { validateEvent } from '@rework-ledger/contracts';
import { spansRequest, TRACE_ID } from './otlp-fixtures.test-support';
import { mapTraces } from './map-traces';
import { OTLP_ID_NAMESPACE } from './otlp-events';
import { v5 as uuidv5 } from 'uuid';

const ASSISTANT = { 'service.name': 'acme-assistant', 'team.id': 'platform', 'deployment.environment': 'prod' };

describe('mapTraces (GenAI spans → ai.output.generated)', () => {
  it('given a chat span with the current GenAI attributes, then one ai.output.generated with the mapped fields, valid for the contract', () => {
    const request = spansRequest(ASSISTANT, [
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.response.id': 'chatcmpl-123',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 480,
          'user.email': 'mailto:Alice@Acme.test',
          'rework_ledger.task_type': 'drafting',
        },
      },
    ]);
    const mapping = mapTraces(request);
    expect(mapping.records).toBe(1);
    expect(mapping.events).toEqual([
      {
        record: 0,
        event: {
          specversion: '1.0',
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          source: 'otlp:acme-assistant',
          type: 'ai.output.generated',
          time: '2026-03-02T10:00:02.500Z',
          data: {
            outputId: 'chatcmpl-123',
            employeeId: 'alice@acme.test',
            teamId: 'platform',
            tool: 'acme-assistant',
            model: 'gpt-4o-2024-08-06',
            taskType: 'drafting',
            inputTokens: 120,
            outputTokens: 480,
          },
        },
      },
    ]);
    expect(validateEvent(mapping.events[0].event, { fromCredentials: 'acme' })).toMatchObject({ ok: true });
  });

  it('given legacy token names, no response id or model, and the person on the resource, then tokens, trace+span id, request model and the resource person', () => {
    const request = spansRequest({ ...ASSISTANT, 'enduser.id': 'bob' }, [
      { spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': 'llama-3', 'gen_ai.usage.prompt_tokens': 10, 'gen_ai.usage.completion_tokens': 20 } },
    ]);
    expect(mapTraces(request).events[0].event.data).toEqual({
      outputId: `${TRACE_ID}-aaaaaaaaaaaaaaaa`,
      employeeId: 'bob',
      teamId: 'platform',
      tool: 'acme-assistant',
      model: 'llama-3',
      taskType: 'other',
      inputTokens: 10,
      outputTokens: 20,
    });
  });

  it('decides span by span: rework_ledger.output=true makes any span an output, =false never, an embeddings span is ignored', () => {
    const request = spansRequest({ ...ASSISTANT, 'user.id': 'install-1' }, [
      { attributes: { 'rework_ledger.output': true, 'gen_ai.operation.name': 'embeddings' } },
      { attributes: { 'rework_ledger.output': false, 'gen_ai.operation.name': 'chat' } },
      { attributes: { 'gen_ai.operation.name': 'embeddings' } },
      { attributes: { 'gen_ai.operation.name': 'generate_content' } },
      { attributes: { 'http.method': 'GET' } },
    ]);
    const mapping = mapTraces(request);
    expect(mapping.events.map((e) => e.record)).toEqual([0, 3]);
    expect(mapping.ignored).toEqual({ 'span.not-an-output': 3 });
  });

  it("takes the tenant's output operations when given", () => {
    const request = spansRequest({ ...ASSISTANT, 'user.id': 'u' }, [{ attributes: { 'gen_ai.operation.name': 'chat' } }, { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }]);
    expect(mapTraces(request, { outputOperations: ['invoke_agent'], discardMinutes: 2 }).events.map((e) => e.record)).toEqual([1]);
  });

  it('prefers the record person to the resource one, in the order user.email, enduser.id, user.account_uuid, user.id', () => {
    const request = spansRequest({ ...ASSISTANT, 'user.email': 'resource@acme.test' }, [
      { attributes: { 'gen_ai.operation.name': 'chat', 'user.id': 'anon', 'user.account_uuid': 'acc-1' } },
      { attributes: { 'gen_ai.operation.name': 'chat' } },
    ]);
    expect(mapTraces(request).events.map((e) => (e.event.data as { employeeId: string }).employeeId)).toEqual(['acc-1', 'resource@acme.test']);
  });

  it('given an output span without a person, then the span is refused with no-person (for partialSuccess)', () => {
    const mapping = mapTraces(spansRequest(ASSISTANT, [{ attributes: { 'gen_ai.operation.name': 'chat' } }]));
    expect(mapping).toMatchObject({ records: 1, events: [], refused: [{ record: 0, reason: 'no-person' }] });
  });

  it('derives the event id from the content: the same span exported again gets the same id, another span another id', () => {
    const span = { attributes: { 'gen_ai.operation.name': 'chat', 'user.id': 'u' } };
    const [first, second] = [mapTraces(spansRequest(ASSISTANT, [span])), mapTraces(spansRequest(ASSISTANT, [span, { ...span, spanId: '0102030405060708' }]))];
    expect(second.events[0].event.id).toBe(first.events[0].event.id);
    expect(second.events[1].event.id).not.toBe(first.events[0].event.id);
    const { type, source, time, data } = first.events[0].event;
    expect(first.events[0].event.id).toBe(uuidv5(JSON.stringify([type, source, time, data]), OTLP_ID_NAMESPACE));
  });
});
