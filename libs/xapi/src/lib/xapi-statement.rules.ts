import type { ErrorShape } from '@rework-ledger/domain';
import type { XapiVersion } from './xapi-version';
import { VOIDED_VERB } from './xapi-statements.store';

/**
 * The xAPI specification's rules for a statement, as an LRS must enforce them (xAPI 1.0.3 Data 2.4 and 4, xAPI 2.0
 * 4.2): allowed properties, types, identifiers, IRIs, UUIDs, language maps, timestamps, durations, scores, groups,
 * sub-statements, context, attachments. Pure; every reason is returned, each with the path of its field. What the
 * rest of this LRS needs beyond the spec (a completion's learner, the contract of the event it makes) is
 * validateStatement's.
 */
export function statementRuleErrors(statement: unknown, version: XapiVersion): ErrorShape[] {
  const errors: ErrorShape[] = [];
  const check = new Checker(errors, version);
  if (!isObject(statement)) return [{ code: 'XAPI.NOT_A_STATEMENT', message: 'a statement must be a JSON object' }];
  nulls(statement, '', errors);
  check.statement(statement, '', false);
  return errors;
}

/** xAPI: no property may be null, except inside extensions (whose values are the extension's own). */
function nulls(value: unknown, field: string, errors: ErrorShape[]): void {
  if (value === null) {
    errors.push({ code: 'FIELD.NULL', message: `${field} must not be null`, field });
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => nulls(item, `${field}[${index}]`, errors));
  else if (isObject(value)) for (const [name, inner] of Object.entries(value)) if (name !== 'extensions') nulls(inner, join(field, name), errors);
}

/**
 * The statement as an LRS stores it: each context activity list an array, even of one (xAPI 1.0.3 Data 2.4.6.2), in
 * the statement and in a sub-statement. What GET answers is then exactly what was stored.
 */
export function normalizedStatement(statement: unknown): unknown {
  if (!isObject(statement)) return statement;
  const withLists = (value: Json): Json => {
    const context = value['context'];
    if (!isObject(context) || !isObject(context['contextActivities'])) return value;
    const activities = Object.fromEntries(Object.entries(context['contextActivities']).map(([kind, listed]) => [kind, Array.isArray(listed) ? listed : [listed]]));
    return { ...value, context: { ...context, contextActivities: activities } };
  };
  const normalized = withLists(statement);
  const object = normalized['object'];
  return isObject(object) && object['objectType'] === 'SubStatement' ? { ...normalized, object: withLists(object) } : normalized;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const LANGUAGE_TAG = /^(([a-z]{2,3}(-[a-z]{3}){0,3})|[a-z]{4,8})(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*(-[a-wyz\d](-[a-z\d]{2,8})+)*(-x(-[a-z\d]{1,8})+)?$|^x(-[a-z\d]{1,8})+$/i;
// ISO 8601 date and time with seconds; the offset is required by 2.0 (RFC 3339) and by this LRS for 1.0.3 too, except
// that 1.0.3 takes a time without offset as UTC.
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/i;
// Weeks stand alone in ISO 8601 (P4W, never P4W1D).
const DURATION = /^P(?!$)((\d+(\.\d+)?W)|(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?)$/;
const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'];
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'];
const IDENTIFIERS = ['mbox', 'mbox_sha1sum', 'openid', 'account'];

class Checker {
  constructor(
    private readonly errors: ErrorShape[],
    private readonly version: XapiVersion,
  ) {}

  private fail(field: string, message: string, code = 'XAPI.INVALID_STATEMENT'): void {
    this.errors.push({ code, message: `${field || 'statement'} ${message}`, field: field || undefined });
  }

  private only(value: Json, field: string, allowed: readonly string[]): void {
    for (const name of Object.keys(value)) if (!allowed.includes(name)) this.fail(join(field, name), 'is not a property xAPI allows here', 'XAPI.UNKNOWN_PROPERTY');
  }

  private object(value: unknown, field: string): value is Json {
    if (isObject(value)) return true;
    this.fail(field, 'must be an object');
    return false;
  }

  private string(value: unknown, field: string): value is string {
    if (typeof value === 'string') return true;
    this.fail(field, 'must be a string');
    return false;
  }

  private iri(value: unknown, field: string): void {
    if (this.string(value, field) && !IRI.test(value)) this.fail(field, 'must be an IRI', 'FIELD.NOT_AN_IRI');
  }

  private uuid(value: unknown, field: string): void {
    if (this.string(value, field) && !UUID.test(value)) this.fail(field, 'must be a UUID', 'FIELD.NOT_A_UUID');
  }

  private boolean(value: unknown, field: string): void {
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
  }

  private languageMap(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    for (const [tag, text] of Object.entries(value)) {
      if (!LANGUAGE_TAG.test(tag)) this.fail(join(field, tag), 'is not a language tag (RFC 5646)');
      if (typeof text !== 'string') this.fail(join(field, tag), 'must be a string');
    }
  }

  private extensions(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    for (const key of Object.keys(value)) if (!IRI.test(key)) this.fail(join(field, key), 'is an extension key that is not an IRI', 'FIELD.NOT_AN_IRI');
  }

  private timestamp(value: unknown, field: string): void {
    if (!this.string(value, field)) return;
    const match = TIMESTAMP.exec(value);
    const offsetRequired = this.version === '2.0.0';
    if (!match || Number.isNaN(Date.parse(match[2] ? value : `${value}Z`)) || (offsetRequired && !match[2])) {
      this.fail(field, `must be an ${offsetRequired ? 'RFC 3339' : 'ISO 8601'} timestamp`, 'FIELD.NOT_RFC3339');
    } else if (/-00:?00$/.test(value)) {
      this.fail(field, 'must not use the offset -00:00', 'FIELD.NOT_RFC3339');
    }
  }

  statement(value: Json, field: string, sub: boolean): void {
    const allowed = sub
      ? ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments']
      : ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments', 'objectType'];
    this.only(value, field, allowed);
    if (!sub && value['objectType'] !== undefined) this.fail(join(field, 'objectType'), 'is not a property of a statement', 'XAPI.UNKNOWN_PROPERTY');
    if (value['id'] !== undefined) this.uuid(value['id'], join(field, 'id'));
    for (const required of ['actor', 'verb', 'object']) if (value[required] === undefined || value[required] === null) this.fail(join(field, required), 'is required', 'FIELD.REQUIRED');
    if (value['actor'] !== undefined && value['actor'] !== null) this.actor(value['actor'], join(field, 'actor'));
    if (value['verb'] !== undefined && value['verb'] !== null) this.verb(value['verb'], join(field, 'verb'));
    if (value['object'] !== undefined && value['object'] !== null) this.statementObject(value['object'], join(field, 'object'), sub);
    const verbId = isObject(value['verb']) ? value['verb']['id'] : undefined;
    if (verbId === VOIDED_VERB && !sub && !(isObject(value['object']) && value['object']['objectType'] === 'StatementRef')) {
      this.fail(join(field, 'object'), 'of a voiding statement must be a StatementRef (the statement voided)');
    }
    if (value['result'] !== undefined) this.result(value['result'], join(field, 'result'));
    if (value['context'] !== undefined) this.context(value['context'], join(field, 'context'), value['object']);
    if (value['timestamp'] !== undefined) this.timestamp(value['timestamp'], join(field, 'timestamp'));
    if (value['stored'] !== undefined) this.timestamp(value['stored'], join(field, 'stored'));
    if (value['authority'] !== undefined) this.authority(value['authority'], join(field, 'authority'));
    if (value['version'] !== undefined && (typeof value['version'] !== 'string' || !/^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/.test(value['version']))) {
      this.fail(join(field, 'version'), 'must be a 1.0.x or 2.0.x version');
    }
    if (value['attachments'] !== undefined) this.attachments(value['attachments'], join(field, 'attachments'));
  }

  actor(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    if (value['objectType'] === 'Group') this.group(value, field);
    else this.agent(value, field);
  }

  agent(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    this.only(value, field, ['objectType', 'name', ...IDENTIFIERS]);
    if (value['objectType'] !== undefined && value['objectType'] !== 'Agent') this.fail(join(field, 'objectType'), 'must be "Agent"');
    if (value['name'] !== undefined) this.string(value['name'], join(field, 'name'));
    const identifiers = this.identifiers(value, field);
    if (identifiers !== 1) this.fail(field, `must have exactly one identifier (mbox, mbox_sha1sum, openid or account); it has ${identifiers}`, 'XAPI.AMBIGUOUS_ACTOR');
  }

  group(value: Json, field: string): void {
    this.only(value, field, ['objectType', 'name', 'member', ...IDENTIFIERS]);
    if (value['name'] !== undefined) this.string(value['name'], join(field, 'name'));
    const identifiers = this.identifiers(value, field);
    if (identifiers > 1) this.fail(field, 'must have at most one identifier', 'XAPI.AMBIGUOUS_ACTOR');
    const members = value['member'];
    if (identifiers === 0 && (!Array.isArray(members) || members.length === 0)) this.fail(join(field, 'member'), 'is required of an anonymous group (and not empty)', 'FIELD.REQUIRED');
    if (members === undefined) return;
    if (!Array.isArray(members)) return this.fail(join(field, 'member'), 'must be an array');
    members.forEach((member, index) => {
      const memberField = `${join(field, 'member')}[${index}]`;
      if (isObject(member) && member['objectType'] === 'Group') this.fail(memberField, 'must be an Agent (a group has no groups as members)');
      else this.agent(member, memberField);
    });
  }

  /** Checks the identifiers an Agent or Group has; returns how many. */
  private identifiers(value: Json, field: string): number {
    let count = 0;
    for (const name of IDENTIFIERS) {
      const identifier = value[name];
      if (identifier === undefined || identifier === null) continue;
      count++;
      const path = join(field, name);
      if (name === 'mbox' && (typeof identifier !== 'string' || !MAILTO.test(identifier))) this.fail(path, 'must be a mailto: IRI', 'FIELD.NOT_A_MAILTO');
      if (name === 'mbox_sha1sum' && (typeof identifier !== 'string' || !SHA1.test(identifier))) this.fail(path, 'must be a SHA-1 in hex');
      if (name === 'openid') this.iri(identifier, path);
      if (name === 'account' && this.object(identifier, path)) {
        this.only(identifier, path, ['homePage', 'name']);
        if (identifier['homePage'] === undefined) this.fail(join(path, 'homePage'), 'is required', 'FIELD.REQUIRED');
        else this.iri(identifier['homePage'], join(path, 'homePage'));
        if (identifier['name'] === undefined) this.fail(join(path, 'name'), 'is required', 'FIELD.REQUIRED');
        else this.string(identifier['name'], join(path, 'name'));
      }
    }
    return count;
  }

  verb(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    this.only(value, field, ['id', 'display']);
    if (value['id'] === undefined) this.fail(join(field, 'id'), 'is required', 'FIELD.REQUIRED');
    else this.iri(value['id'], join(field, 'id'));
    if (value['display'] !== undefined) this.languageMap(value['display'], join(field, 'display'));
  }

  statementObject(value: unknown, field: string, sub: boolean): void {
    if (!this.object(value, field)) return;
    const type = value['objectType'] ?? 'Activity';
    switch (type) {
      case 'Activity':
        return this.activity(value, field);
      case 'Agent':
        return this.agent(value, field);
      case 'Group':
        return this.group(value, field);
      case 'StatementRef':
        this.only(value, field, ['objectType', 'id']);
        return this.uuid(value['id'], join(field, 'id'));
      case 'SubStatement':
        if (sub) return this.fail(join(field, 'objectType'), 'must not be a SubStatement inside a SubStatement');
        return this.statement(value, field, true);
      default:
        this.fail(join(field, 'objectType'), 'must be Activity, Agent, Group, StatementRef or SubStatement');
    }
  }

  activity(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    this.only(value, field, ['objectType', 'id', 'definition']);
    if (value['id'] === undefined) this.fail(join(field, 'id'), 'is required', 'FIELD.REQUIRED');
    else this.iri(value['id'], join(field, 'id'));
    const definition = value['definition'];
    if (definition === undefined) return;
    const path = join(field, 'definition');
    if (!this.object(definition, path)) return;
    this.only(definition, path, ['name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...COMPONENT_LISTS]);
    for (const map of ['name', 'description']) if (definition[map] !== undefined) this.languageMap(definition[map], join(path, map));
    for (const iri of ['type', 'moreInfo']) if (definition[iri] !== undefined) this.iri(definition[iri], join(path, iri));
    if (definition['extensions'] !== undefined) this.extensions(definition['extensions'], join(path, 'extensions'));
    const interaction = definition['interactionType'];
    if (interaction !== undefined && (typeof interaction !== 'string' || !INTERACTION_TYPES.includes(interaction))) this.fail(join(path, 'interactionType'), `must be one of ${INTERACTION_TYPES.join(', ')}`);
    const pattern = definition['correctResponsesPattern'];
    if (pattern !== undefined && (!Array.isArray(pattern) || pattern.some((response) => typeof response !== 'string'))) this.fail(join(path, 'correctResponsesPattern'), 'must be an array of strings');
    if ((pattern !== undefined || COMPONENT_LISTS.some((list) => definition[list] !== undefined)) && interaction === undefined) {
      this.fail(join(path, 'interactionType'), 'is required with interaction components', 'FIELD.REQUIRED');
    }
    for (const list of COMPONENT_LISTS) {
      const components = definition[list];
      if (components === undefined) continue;
      if (!Array.isArray(components)) {
        this.fail(join(path, list), 'must be an array');
        continue;
      }
      const seen = new Set<string>();
      components.forEach((component, index) => {
        const componentPath = `${join(path, list)}[${index}]`;
        if (!this.object(component, componentPath)) return;
        this.only(component, componentPath, ['id', 'description']);
        if (this.string(component['id'], join(componentPath, 'id'))) {
          if (seen.has(component['id'] as string)) this.fail(join(componentPath, 'id'), 'repeats an id of the same list');
          seen.add(component['id'] as string);
        }
        if (component['description'] !== undefined) this.languageMap(component['description'], join(componentPath, 'description'));
      });
    }
  }

  result(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    this.only(value, field, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
    for (const flag of ['success', 'completion']) if (value[flag] !== undefined) this.boolean(value[flag], join(field, flag));
    if (value['response'] !== undefined) this.string(value['response'], join(field, 'response'));
    if (value['duration'] !== undefined && (typeof value['duration'] !== 'string' || !DURATION.test(value['duration']))) this.fail(join(field, 'duration'), 'must be an ISO 8601 duration');
    if (value['extensions'] !== undefined) this.extensions(value['extensions'], join(field, 'extensions'));
    const score = value['score'];
    if (score === undefined) return;
    const path = join(field, 'score');
    if (!this.object(score, path)) return;
    this.only(score, path, ['scaled', 'raw', 'min', 'max']);
    for (const name of ['scaled', 'raw', 'min', 'max']) {
      if (score[name] !== undefined && (typeof score[name] !== 'number' || !Number.isFinite(score[name]))) this.fail(join(path, name), 'must be a number');
    }
    const number = (name: string) => (typeof score[name] === 'number' ? (score[name] as number) : undefined);
    const [scaled, raw, min, max] = [number('scaled'), number('raw'), number('min'), number('max')];
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) this.fail(join(path, 'scaled'), 'must be within -1..1', 'FIELD.OUT_OF_RANGE');
    if (min !== undefined && max !== undefined && min >= max) this.fail(join(path, 'min'), 'must be less than max', 'FIELD.OUT_OF_RANGE');
    if (raw !== undefined && ((min !== undefined && raw < min) || (max !== undefined && raw > max))) this.fail(join(path, 'raw'), 'must be within min..max', 'FIELD.OUT_OF_RANGE');
  }

  context(value: unknown, field: string, object: unknown): void {
    if (!this.object(value, field)) return;
    const agents = this.version === '2.0.0' ? ['contextAgents', 'contextGroups'] : [];
    this.only(value, field, ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions', ...agents]);
    if (value['registration'] !== undefined) this.uuid(value['registration'], join(field, 'registration'));
    if (value['instructor'] !== undefined) this.actor(value['instructor'], join(field, 'instructor'));
    if (value['team'] !== undefined) {
      if (isObject(value['team']) && value['team']['objectType'] === 'Group') this.group(value['team'], join(field, 'team'));
      else this.fail(join(field, 'team'), 'must be a Group');
    }
    const activityObject = isObject(object) && (object['objectType'] === undefined || object['objectType'] === 'Activity');
    for (const name of ['revision', 'platform']) {
      if (value[name] === undefined) continue;
      this.string(value[name], join(field, name));
      if (!activityObject) this.fail(join(field, name), 'is allowed only when the object is an Activity');
    }
    if (value['language'] !== undefined && (typeof value['language'] !== 'string' || !LANGUAGE_TAG.test(value['language']))) this.fail(join(field, 'language'), 'must be a language tag (RFC 5646)');
    if (value['statement'] !== undefined) {
      const path = join(field, 'statement');
      if (this.object(value['statement'], path)) {
        this.only(value['statement'], path, ['objectType', 'id']);
        if (value['statement']['objectType'] !== 'StatementRef') this.fail(join(path, 'objectType'), 'must be "StatementRef"');
        this.uuid(value['statement']['id'], join(path, 'id'));
      }
    }
    if (value['extensions'] !== undefined) this.extensions(value['extensions'], join(field, 'extensions'));
    const activities = value['contextActivities'];
    if (activities !== undefined) {
      const path = join(field, 'contextActivities');
      if (this.object(activities, path)) {
        this.only(activities, path, ['parent', 'grouping', 'category', 'other']);
        for (const [kind, listed] of Object.entries(activities)) {
          const list = Array.isArray(listed) ? listed : [listed];
          list.forEach((activity, index) => this.activity(activity, Array.isArray(listed) ? `${join(path, kind)}[${index}]` : join(path, kind)));
        }
      }
    }
    for (const name of agents) {
      const list = value[name];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.fail(join(field, name), 'must be an array');
        continue;
      }
      list.forEach((entry, index) => {
        const path = `${join(field, name)}[${index}]`;
        if (!this.object(entry, path)) return;
        this.only(entry, path, ['objectType', name === 'contextAgents' ? 'agent' : 'group', 'relevantTypes']);
        const expected = name === 'contextAgents' ? 'contextAgent' : 'contextGroup';
        if (entry['objectType'] !== expected) this.fail(join(path, 'objectType'), `must be "${expected}"`);
        if (name === 'contextAgents') this.agent(entry['agent'], join(path, 'agent'));
        else if (isObject(entry['group']) && entry['group']['objectType'] === 'Group') this.group(entry['group'], join(path, 'group'));
        else this.fail(join(path, 'group'), 'must be a Group');
        const types = entry['relevantTypes'];
        if (types !== undefined) {
          if (!Array.isArray(types) || types.length === 0) this.fail(join(path, 'relevantTypes'), 'must be a non-empty array of IRIs');
          else types.forEach((type, typeIndex) => this.iri(type, `${join(path, 'relevantTypes')}[${typeIndex}]`));
        }
      });
    }
  }

  authority(value: unknown, field: string): void {
    if (!this.object(value, field)) return;
    if (value['objectType'] !== 'Group') return this.agent(value, field);
    this.group(value, field);
    // An OAuth authority: an anonymous group of exactly two agents, the application (an account) and the user.
    const members = value['member'];
    if (IDENTIFIERS.some((name) => value[name] !== undefined)) this.fail(field, 'as a group must be anonymous (an OAuth application and user)');
    if (!Array.isArray(members) || members.length !== 2 || !members.some((member) => isObject(member) && member['account'] !== undefined)) {
      this.fail(join(field, 'member'), 'of a group authority must hold exactly two agents, one of them an account (the OAuth application)');
    }
  }

  attachments(value: unknown, field: string): void {
    if (!Array.isArray(value)) return this.fail(field, 'must be an array');
    value.forEach((attachment, index) => {
      const path = `${field}[${index}]`;
      if (!this.object(attachment, path)) return;
      this.only(attachment, path, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl']);
      for (const required of ['usageType', 'display', 'contentType', 'length', 'sha2']) {
        if (attachment[required] === undefined) this.fail(join(path, required), 'is required', 'FIELD.REQUIRED');
      }
      if (attachment['usageType'] !== undefined) this.iri(attachment['usageType'], join(path, 'usageType'));
      if (attachment['display'] !== undefined) this.languageMap(attachment['display'], join(path, 'display'));
      if (attachment['description'] !== undefined) this.languageMap(attachment['description'], join(path, 'description'));
      if (attachment['contentType'] !== undefined) this.string(attachment['contentType'], join(path, 'contentType'));
      if (attachment['length'] !== undefined && (!Number.isInteger(attachment['length']) || (attachment['length'] as number) < 0)) this.fail(join(path, 'length'), 'must be a non-negative integer');
      if (attachment['sha2'] !== undefined) this.string(attachment['sha2'], join(path, 'sha2'));
      if (attachment['fileUrl'] !== undefined) this.iri(attachment['fileUrl'], join(path, 'fileUrl'));
    });
  }
}

function join(field: string, name: string): string {
  return field ? `${field}.${name}` : name;
}
