import { Controller, Delete, Get, HttpCode, Inject, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import { AcceptsBasicAuth, AcceptsContentTypes, ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import { RequestError } from '@rework-ledger/ingestion';
import type { Principal } from '@rework-ledger/tenancy';
import { isUUID } from 'class-validator';
import type { Request, Response } from 'express';
import { agentIdentifier } from './statement-query';
import { DocumentDocs } from './xapi-resources.openapi';
import { type DocumentKey, type DocumentKind, type StoredDocument, XAPI_DOCUMENT_STORE, type XapiDocumentStore } from './xapi-documents.store';
import { requestVersion, XAPI_VERSION_HEADER, XapiVersionGuard } from './xapi-version';

/** The paths of the document resources: their bodies are documents of any media type, read as bytes. */
export const XAPI_DOCUMENT_PATHS = ['/v1/xapi/activities/state', '/v1/xapi/activities/profile', '/v1/xapi/agents/profile'];

const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
const JSON_TYPE = /^application\/json\b/i;

/** What identifies a document of each kind (xAPI 1.0.3 Communication 2.3, 2.6, 2.7): its keys and the name of its id. */
const KINDS: Record<DocumentKind, { keys: readonly ('activityId' | 'agent' | 'registration')[]; id: 'stateId' | 'profileId' }> = {
  state: { keys: ['activityId', 'agent', 'registration'], id: 'stateId' },
  'activity-profile': { keys: ['activityId'], id: 'profileId' },
  'agent-profile': { keys: ['agent'], id: 'profileId' },
};

const bad = (field: string, message: string) => new RequestError('XAPI.INVALID_PARAMETER', message, 400, field);

type Parsed = Readonly<{ key: DocumentKey; hasId: boolean; since?: Date }>;

/** Reads a document request's parameters: the kind's keys (activityId an IRI, agent an Agent as JSON, registration a UUID), its id, `since`. */
function parse(kind: DocumentKind, query: Readonly<Record<string, unknown>>, allowSince: boolean): Parsed {
  const { keys, id } = KINDS[kind];
  const allowed = [...keys, id, ...(allowSince ? ['since'] : [])];
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw bad(unknown[0], `this resource does not take ${unknown.join(', ')}`);
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const activityId = text('activityId');
  if (keys.includes('activityId') && (activityId === undefined || !IRI.test(activityId))) throw bad('activityId', 'activityId is required, an IRI');
  const agentJson = text('agent');
  if (keys.includes('agent') && agentJson === undefined) throw bad('agent', 'agent is required, an Agent as JSON');
  const agent = agentJson !== undefined ? JSON.stringify(agentIdentifier(agentJson, 'agent')) : '';
  const registration = text('registration');
  if (registration !== undefined && !isUUID(registration, 'all')) throw bad('registration', 'registration must be a UUID');
  const since = text('since');
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw bad('since', 'since must be a timestamp');
  const documentId = text(id);
  return {
    key: { kind, activityId: activityId ?? '', agent, registration: registration?.toLowerCase() ?? '', documentId: documentId ?? '' },
    hasId: documentId !== undefined,
    ...(since !== undefined ? { since: new Date(since) } : {}),
  };
}

/** The body as sent: bytes (the raw parser), or JSON already parsed (the alternate request syntax), and its media type. */
function contentOf(request: Request): { content: Buffer; contentType: string } {
  const contentType = String(request.headers['content-type'] ?? 'application/octet-stream');
  const body: unknown = request.body;
  if (Buffer.isBuffer(body)) return { content: body, contentType };
  if (body === undefined || body === null) return { content: Buffer.alloc(0), contentType };
  return { content: Buffer.from(JSON.stringify(body)), contentType };
}

/** xAPI concurrency (Communication 3.1): If-Match names the current entity tag; If-None-Match: * that there is none. */
function checkPreconditions(request: Request, current: StoredDocument | undefined, conflictWithoutHeaders: boolean): void {
  const ifMatch = request.headers['if-match'];
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifMatch === 'string') {
    const tags = ifMatch.split(',').map((tag) => tag.trim());
    if (!current || !(tags.includes('*') || tags.includes(current.etag))) throw new RequestError('XAPI.PRECONDITION_FAILED', 'If-Match does not name the document as it is', 412, 'If-Match');
  }
  if (typeof ifNoneMatch === 'string' && current) {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim());
    if (tags.includes('*') || tags.includes(current.etag)) throw new RequestError('XAPI.PRECONDITION_FAILED', 'If-None-Match: the document exists', 412, 'If-None-Match');
  }
  if (conflictWithoutHeaders && current && ifMatch === undefined && ifNoneMatch === undefined) {
    throw new RequestError('XAPI.CONFLICT', 'the document exists: send If-Match with its ETag (or If-None-Match: *) to say what you overwrite', 409);
  }
}

/**
 * xAPI document resources (state, activity profile, agent profile): documents of any media type, kept as sent, per
 * tenant. Writing (PUT replaces, POST merges JSON objects, DELETE) needs `ingest`; reading `lrs` or `admin`. A single
 * document is answered with its ETag and Last-Modified; PUT, POST and DELETE honour If-Match / If-None-Match, and a
 * profile PUT (a state PUT too in 2.0) over an existing document without either is a 409 (xAPI 1.0.3 Communication 3.1,
 * 2.0 4.1.4).
 */
@Controller('v1/xapi')
@UseGuards(ApiKeyGuard, XapiVersionGuard)
@AcceptsBasicAuth()
export class XapiDocumentsController {
  constructor(@Inject(XAPI_DOCUMENT_STORE) private readonly documents: XapiDocumentStore) {}

  @Get('activities/state')
  @RequireScope('lrs')
  @DocumentDocs('state', 'GET', 'A state document (stateId), or the stateIds of an activity and agent')
  getState(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.read(principal, 'state', request, response);
  }

  @Put('activities/state')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('state', 'PUT', 'Store a state document')
  putState(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'state', request, 'replace');
  }

  @Post('activities/state')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('state', 'POST', 'Merge a JSON state document into the stored one')
  postState(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'state', request, 'merge');
  }

  @Delete('activities/state')
  @HttpCode(204)
  @RequireScope('ingest')
  @DocumentDocs('state', 'DELETE', 'Delete a state document, or all of an activity and agent')
  deleteState(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.remove(principal, 'state', request);
  }

  @Get('activities/profile')
  @RequireScope('lrs')
  @DocumentDocs('activity-profile', 'GET', 'An activity profile document (profileId), or the profileIds of an activity')
  getActivityProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.read(principal, 'activity-profile', request, response);
  }

  @Put('activities/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('activity-profile', 'PUT', 'Store an activity profile document')
  putActivityProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'activity-profile', request, 'replace');
  }

  @Post('activities/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('activity-profile', 'POST', 'Merge a JSON activity profile document into the stored one')
  postActivityProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'activity-profile', request, 'merge');
  }

  @Delete('activities/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @DocumentDocs('activity-profile', 'DELETE', 'Delete an activity profile document')
  deleteActivityProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.remove(principal, 'activity-profile', request);
  }

  @Get('agents/profile')
  @RequireScope('lrs')
  @DocumentDocs('agent-profile', 'GET', 'An agent profile document (profileId), or the profileIds of an agent')
  getAgentProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.read(principal, 'agent-profile', request, response);
  }

  @Put('agents/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('agent-profile', 'PUT', 'Store an agent profile document')
  putAgentProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'agent-profile', request, 'replace');
  }

  @Post('agents/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @DocumentDocs('agent-profile', 'POST', 'Merge a JSON agent profile document into the stored one')
  postAgentProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.write(principal, 'agent-profile', request, 'merge');
  }

  @Delete('agents/profile')
  @HttpCode(204)
  @RequireScope('ingest')
  @DocumentDocs('agent-profile', 'DELETE', 'Delete an agent profile document')
  deleteAgentProfile(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<void> {
    return this.remove(principal, 'agent-profile', request);
  }

  private async read(principal: Principal, kind: DocumentKind, request: Request, response: Response): Promise<void> {
    const { key, hasId, since } = parse(kind, request.query as Record<string, unknown>, true);
    if (!hasId) {
      const { ids, updated } = await this.documents.ids(principal.tenant, key, since);
      if (updated) response.setHeader('Last-Modified', updated.toUTCString());
      response.status(200).json(ids);
      return;
    }
    if (since !== undefined) throw bad('since', `since lists documents: it is not given with ${KINDS[kind].id}`);
    const document = await this.documents.get(principal.tenant, key);
    if (!document) throw new RequestError('NOT_FOUND.DOCUMENT', `no document has the ${KINDS[kind].id} ${key.documentId}`, 404, KINDS[kind].id);
    response.setHeader('ETag', document.etag);
    response.setHeader('Last-Modified', document.updated.toUTCString());
    response.status(200).type(document.contentType).send(document.content);
  }

  private async write(principal: Principal, kind: DocumentKind, request: Request, mode: 'replace' | 'merge'): Promise<void> {
    const { key, hasId } = parse(kind, request.query as Record<string, unknown>, false);
    if (!hasId) throw bad(KINDS[kind].id, `${KINDS[kind].id} is required`);
    const current = await this.documents.get(principal.tenant, key);
    // A PUT that would overwrite without saying what it overwrites: 409 for profiles, and for state too in 2.0.
    const version = requestVersion(request.headers[XAPI_VERSION_HEADER.toLowerCase()]);
    checkPreconditions(request, current, mode === 'replace' && (kind !== 'state' || version === '2.0.0'));
    // xAPI 1.0.3 (XAPI-00273): a profile PUT says what it expects, even of a new document.
    const unguarded = request.headers['if-match'] === undefined && request.headers['if-none-match'] === undefined;
    if (mode === 'replace' && kind !== 'state' && version === '1.0.3' && unguarded) {
      throw new RequestError('XAPI.PRECONDITION_REQUIRED', 'a profile PUT carries If-Match (the ETag it overwrites) or If-None-Match: * (a new document)', 400, 'If-Match');
    }
    const sent = contentOf(request);
    const document = mode === 'merge' && current ? merged(current, sent) : sent;
    if (mode === 'merge' && !current && JSON_TYPE.test(sent.contentType)) jsonObject(sent.content, 'the document');
    await this.documents.put(principal.tenant, key, document, new Date());
  }

  private async remove(principal: Principal, kind: DocumentKind, request: Request): Promise<void> {
    const { key, hasId } = parse(kind, request.query as Record<string, unknown>, false);
    if (!hasId) {
      if (kind !== 'state') throw bad(KINDS[kind].id, `${KINDS[kind].id} is required`);
      await this.documents.deleteAll(principal.tenant, key);
      return;
    }
    const current = await this.documents.get(principal.tenant, key);
    checkPreconditions(request, current, false);
    await this.documents.delete(principal.tenant, key);
  }
}

/** POST merges JSON objects: the stored document's properties, those sent replacing them (xAPI 1.0.3 Communication 2.2). */
function merged(current: StoredDocument, sent: { content: Buffer; contentType: string }): { content: Buffer; contentType: string } {
  if (!JSON_TYPE.test(current.contentType) || !JSON_TYPE.test(sent.contentType)) {
    throw new RequestError('XAPI.NOT_MERGEABLE', 'POST merges JSON documents: the stored document and the one sent must both be application/json', 400, 'content-type');
  }
  const content = Buffer.from(JSON.stringify({ ...jsonObject(current.content, 'the stored document'), ...jsonObject(sent.content, 'the document') }));
  return { content, contentType: 'application/json' };
}

function jsonObject(content: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    throw new RequestError('XAPI.NOT_MERGEABLE', `${what} is not valid JSON`, 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RequestError('XAPI.NOT_MERGEABLE', `${what} must be a JSON object to be merged`, 400);
  return value as Record<string, unknown>;
}
