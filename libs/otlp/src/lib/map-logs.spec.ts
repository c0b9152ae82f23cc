import { validateEvent } from '@rework-ledger/contracts';
import { logsRequest } from './otlp-fixtures.test-support';
import { mapLogs } from './map-logs';

const CLAUDE_CODE = { 'service.name': 'claude-code', 'service.version': '2.0.14', 'team.id': 'payments' };
/** The standard attributes Claude Code puts on every event. */
const standard = { 'session.id': 's-1', 'organization.id': 'org-1', 'user.account_uuid': 'acc-42', 'user.id': 'a1b2c3', 'user.email': 'Dev@Acme.test', 'terminal.type': 'vscode' };
const decision = (attributes: Record<string, string>, eventName = 'claude_code.tool_decision') => ({
  eventName,
  body: 'claude_code.tool_decision',
  attributes: { ...standard, 'event.name': 'tool_decision', 'event.timestamp': '2026-03-02T11:00:00.000Z', 'prompt.id': 'p-1', ...attributes },
});

describe('mapLogs (rework log events and Claude Code tool decisions)', () => {
  it('given rework events named by the event_name field or by the event.name attribute, then the rework event of each kind', () => {
    const rework = { 'user.email': 'carol@acme.test', 'ai.output.id': 'chatcmpl-123', 'rework.minutes_spent': 12, 'rework.reason': 'wrong figures' };
    const request = logsRequest({ 'service.name': 'acme-assistant' }, [
      { eventName: 'ai.output.corrected', attributes: rework },
      { attributes: { ...rework, 'event.name': 'ai.output.rewritten' } },
      { attributes: { ...rework, 'event.name': 'ai.output.double_checked', 'rework.minutes_spent': '3.5' } },
      { eventName: 'ai.output.discarded', attributes: { ...rework, 'rework.reason': '' } },
    ]);
    const mapping = mapLogs(request);
    expect(mapping.events.map(({ record, event }) => [record, event.type, event.source, event.time, event.data])).toEqual([
      [0, 'ai.output.corrected', 'otlp:acme-assistant', '2026-03-02T11:00:00.000Z', { outputId: 'chatcmpl-123', employeeId: 'carol@acme.test', minutesSpent: 12, reason: 'wrong figures' }],
      [1, 'ai.output.rewritten', 'otlp:acme-assistant', '2026-03-02T11:00:00.000Z', { outputId: 'chatcmpl-123', employeeId: 'carol@acme.test', minutesSpent: 12, reason: 'wrong figures' }],
      [2, 'ai.output.double_checked', 'otlp:acme-assistant', '2026-03-02T11:00:00.000Z', { outputId: 'chatcmpl-123', employeeId: 'carol@acme.test', minutesSpent: 3.5, reason: 'wrong figures' }],
      [3, 'ai.output.discarded', 'otlp:acme-assistant', '2026-03-02T11:00:00.000Z', { outputId: 'chatcmpl-123', employeeId: 'carol@acme.test', minutesSpent: 12 }],
    ]);
    for (const { event } of mapping.events) expect(validateEvent(event, { fromCredentials: 'acme' })).toMatchObject({ ok: true });
  });

  it('given rework events without output id, minutes or person, then each is refused with its reason', () => {
    const request = logsRequest({ 'service.name': 'acme-assistant' }, [
      { eventName: 'ai.output.corrected', attributes: { 'user.email': 'c@acme.test', 'rework.minutes_spent': 5 } },
      { eventName: 'ai.output.corrected', attributes: { 'user.email': 'c@acme.test', 'ai.output.id': 'o' } },
      { eventName: 'ai.output.corrected', attributes: { 'ai.output.id': 'o', 'rework.minutes_spent': 5 } },
    ]);
    expect(mapLogs(request).refused).toEqual([
      { record: 0, reason: 'no-output-id' },
      { record: 1, reason: 'no-minutes-spent' },
      { record: 2, reason: 'no-person' },
    ]);
  });

  it('given Claude Code tool decisions, then accepted and rejected edits by a person are outputs (coding), a user_reject also a discard of 2 minutes', () => {
    const request = logsRequest(CLAUDE_CODE, [
      decision({ tool_name: 'Edit', decision: 'accept', source: 'user_temporary', tool_use_id: 'toolu_01' }),
      decision({ tool_name: 'Write', decision: 'reject', source: 'user_reject', tool_use_id: 'toolu_02' }, ''),
      decision({ tool_name: 'MultiEdit', decision: 'reject', source: 'user_abort' }),
      decision({ tool_name: 'NotebookEdit', decision: 'accept', source: 'user_permanent', tool_use_id: 'toolu_04' }, 'tool_decision'),
    ]);
    const mapping = mapLogs(request);
    const summary = mapping.events.map(({ record, event }) => [record, event.type, event.data]);
    expect(summary).toEqual([
      [0, 'ai.output.generated', { outputId: 'toolu_01', employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
      [1, 'ai.output.generated', { outputId: 'toolu_02', employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
      [1, 'ai.output.discarded', { outputId: 'toolu_02', employeeId: 'dev@acme.test', minutesSpent: 2, reason: 'user_reject' }],
      [2, 'ai.output.generated', { outputId: expect.stringMatching(/^[0-9a-f-]{36}$/), employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
      [2, 'ai.output.discarded', { outputId: (summary[3][2] as { outputId: string }).outputId, employeeId: 'dev@acme.test', minutesSpent: 2, reason: 'user_abort' }],
      [3, 'ai.output.generated', { outputId: 'toolu_04', employeeId: 'dev@acme.test', teamId: 'payments', tool: 'claude-code', taskType: 'coding' }],
    ]);
    for (const { event } of mapping.events) expect(validateEvent(event, { fromCredentials: 'acme' })).toMatchObject({ ok: true });
  });

  it("uses the tenant's discard minutes", () => {
    const request = logsRequest(CLAUDE_CODE, [decision({ tool_name: 'Edit', decision: 'reject', source: 'user_reject', tool_use_id: 't' })]);
    expect(mapLogs(request, { outputOperations: [], discardMinutes: 7 }).events[1].event.data).toMatchObject({ minutesSpent: 7 });
  });

  it('ignores, and counts by reason, non-editing tools, config and hook decisions, other sources, and other events', () => {
    const request = logsRequest(CLAUDE_CODE, [
      decision({ tool_name: 'Bash', decision: 'accept', source: 'user_temporary' }),
      decision({ tool_name: 'Read', decision: 'accept', source: 'config' }),
      decision({ tool_name: 'Edit', decision: 'accept', source: 'config' }),
      decision({ tool_name: 'Edit', decision: 'reject', source: 'hook' }),
      decision({ tool_name: 'Edit', decision: 'accept', source: 'classifier' }),
      decision({ tool_name: 'Edit', decision: 'maybe', source: 'user_temporary' }),
      { eventName: 'claude_code.api_request', attributes: { ...standard, model: 'claude-sonnet-4-5', cost_usd: 0.01 } },
      { attributes: { ...standard, 'event.name': 'user_prompt' } },
      { attributes: { 'http.status': 200 } },
    ]);
    const mapping = mapLogs(request);
    expect(mapping).toMatchObject({ records: 9, events: [], refused: [] });
    expect(mapping.ignored).toEqual({
      'tool_decision.not-code-editing': 2,
      'tool_decision.by-policy': 2,
      'tool_decision.not-by-a-person': 1,
      'tool_decision.not-accept-or-reject': 1,
      'log.not-a-mapped-event': 3,
    });
  });

  it('derives the output id of a decision without tool_use_id from prompt.id, tool_name and time: the same decision again has the same id', () => {
    const attrs = { tool_name: 'Edit', decision: 'accept', source: 'user_temporary' };
    const once = mapLogs(logsRequest(CLAUDE_CODE, [decision(attrs)]));
    const again = mapLogs(logsRequest(CLAUDE_CODE, [decision(attrs), decision({ ...attrs, 'prompt.id': 'p-2' })]));
    expect(again.events[0].event).toEqual(once.events[0].event);
    expect((again.events[1].event.data as { outputId: string }).outputId).not.toBe((once.events[0].event.data as { outputId: string }).outputId);
  });

  it('given a record without time, then its observed time, else the event.timestamp attribute is taken', () => {
    const request = logsRequest(CLAUDE_CODE, [{ ...decision({ tool_name: 'Edit', decision: 'accept', source: 'user_temporary', tool_use_id: 't', 'event.timestamp': '2026-03-03T08:00:00Z' }), time: '' }]);
    expect(mapLogs(request).events[0].event.time).toBe('2026-03-03T08:00:00.000Z');
  });
});
