import { Controller, Get, HttpCode, Inject, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MAX_BATCH_EVENTS } from '@rework-ledger/contracts';
import { AcceptsBasicAuth, AcceptsContentTypes, ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import { RequestError } from '@rework-ledger/ingestion';
import type { Principal } from '@rework-ledger/tenancy';
import { isUUID } from 'class-validator';
import type { Request, Response } from 'express';
import { RecordStatementsCommand } from './record-statements.command';
import { buildMultipart } from './multipart';
import { readStatementsRequest } from './xapi-attachments';
import { canonicalFormat, encodeCursor, idsFormat, readStatementRequest } from './statement-query';
import { GetStatementsDocs, PostStatementsDocs, PutStatementDocs } from './xapi-statements.openapi';
import { XapiBatchRejectedError } from './xapi.errors';
import { normalizedStatement, statementRuleErrors } from './xapi-statement.rules';
import { requestVersion, XAPI_VERSION_HEADER, XAPI_VERSIONS, XapiVersionGuard } from './xapi-version';
import { type FoundStatement, XAPI_STATEMENT_STORE, type XapiStatementStore } from './xapi-statements.store';

/** The path GET answers in `more` (xAPI: a relative IRL with the full path). */
const STATEMENTS_PATH = '/v1/xapi/statements';

/**
 * xAPI Statement resource (PUT, POST, GET and HEAD) of a Learning Record Store; the tenant is the API key's, given by
 * Bearer or Basic. Writing needs `ingest`; reading `lrs` (statements are employee-level data) or `admin`.
 */
@Controller('v1/xapi/statements')
@UseGuards(ApiKeyGuard, XapiVersionGuard)
@AcceptsBasicAuth()
export class XapiStatementsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(XAPI_STATEMENT_STORE) private readonly store: XapiStatementStore,
  ) {}

  /** One statement by `statementId` or `voidedStatementId` (404 when there is none), or a filtered page with `more`. */
  @Get()
  @RequireScope('lrs')
  @GetStatementsDocs()
  async get(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const asked = readStatementRequest(query);
    const answer = await this.answer(principal, asked, response, request.headers['accept-language']);
    if (query['attachments'] !== 'true') {
      response.status(200).json(answer);
      return;
    }
    // With attachments=true: multipart/mixed, the answer first, then the content of each attachment it names.
    const statements = 'statements' in answer ? (answer['statements'] as Record<string, unknown>[]) : [answer];
    const sha2s = [...new Set(statements.flatMap((statement) => (Array.isArray(statement['attachments']) ? statement['attachments'] : []).map((a: { sha2?: unknown }) => String(a.sha2))))];
    const contents = await this.store.attachments(principal.tenant, sha2s);
    const { body, contentType } = buildMultipart([
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(answer)) },
      ...contents.map((attachment) => ({
        headers: { 'Content-Type': attachment.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': attachment.sha2 },
        body: attachment.content,
      })),
    ]);
    response.status(200).type(contentType).send(body);
  }

  /** One statement, or a page of them, in the format asked; the Last-Modified header set. */
  private async answer(principal: Principal, asked: ReturnType<typeof readStatementRequest>, response: Response, languages: string | undefined): Promise<Record<string, unknown>> {
    const now = new Date();
    if (asked.kind === 'one') {
      const found = await this.store.find(principal.tenant, asked.statementId);
      // statementId never answers a voided statement, voidedStatementId only a voided one.
      if (!found || found.voided !== asked.voided) {
        throw new RequestError('NOT_FOUND.STATEMENT', `no ${asked.voided ? 'voided ' : ''}statement has the id ${asked.statementId}`, 404, asked.voided ? 'voidedStatementId' : 'statementId');
      }
      response.setHeader('Last-Modified', found.storedAt.toUTCString());
      return formatted(found, asked.format, languages);
    }
    const through = asked.through ?? now;
    const page = await this.store.query(principal.tenant, asked.filter, { limit: asked.limit, afterSeq: asked.afterSeq, through });
    const last = page.statements.at(-1);
    const newest = page.statements.reduce<Date | undefined>((latest, found) => (!latest || found.storedAt > latest ? found.storedAt : latest), undefined);
    response.setHeader('Last-Modified', (newest ?? through).toUTCString());
    return {
      statements: page.statements.map((found) => formatted(found, asked.format, languages)),
      more: page.more && last ? `${STATEMENTS_PATH}?more=${encodeCursor(asked, last.seq, through)}` : '',
    };
  }

  /** One statement or an array: 200 with the statement ids in order, or 400 with every reason and nothing stored. */
  @Post()
  @HttpCode(200)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @PostStatementsDocs()
  async post(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<readonly string[]> {
    const { body, attachments } = readStatementsRequest(request);
    const sent: unknown[] = Array.isArray(body) ? body : [asStatement(body)];
    checkRules(sent, request);
    const statements = sent.map((statement) => withAuthority(normalizedStatement(statement), principal, request));
    if (statements.length > MAX_BATCH_EVENTS) {
      throw new RequestError('REQUEST.TOO_MANY_STATEMENTS', `a batch holds at most ${MAX_BATCH_EVENTS} statements; this one has ${statements.length}`, 413);
    }
    const { ids } = await this.commandBus.execute(new RecordStatementsCommand(principal.tenant, statements, new Date()));
    await this.store.saveAttachments(principal.tenant, attachments);
    return ids;
  }

  /** One statement under the id given as `statementId`: 204. */
  @Put()
  @HttpCode(204)
  @RequireScope('ingest')
  @AcceptsContentTypes('*/*')
  @PutStatementDocs()
  async put(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Query('statementId') statementId: unknown,
  ): Promise<void> {
    const { body, attachments } = readStatementsRequest(request);
    if (typeof statementId !== 'string' || !isUUID(statementId, 'all')) {
      throw new RequestError('XAPI.INVALID_STATEMENT_ID', 'statementId must be given as a UUID', 400, 'statementId');
    }
    const statement = asStatement(body);
    const id = statement['id'];
    if (id !== undefined && (typeof id !== 'string' || id.toLowerCase() !== statementId.toLowerCase())) {
      throw new RequestError('XAPI.STATEMENT_ID_MISMATCH', 'the statement id differs from statementId', 400, 'id');
    }
    checkRules([statement], request);
    await this.commandBus.execute(new RecordStatementsCommand(principal.tenant, [withAuthority(normalizedStatement({ ...statement, id: statementId }), principal, request)], new Date()));
    await this.store.saveAttachments(principal.tenant, attachments);
  }
}

/** The xAPI rules of the request's version, for every statement: any broken rejects the whole request (400, every reason). */
function checkRules(statements: readonly unknown[], request: Request): void {
  const version = requestVersion(request.headers[XAPI_VERSION_HEADER.toLowerCase()]) ?? XAPI_VERSIONS[0];
  const errors = statements.flatMap((statement, index) => statementRuleErrors(statement, version).map((error) => ({ index, ...error })));
  if (errors.length > 0) throw new XapiBatchRejectedError(errors, statements.length);
}

/**
 * The statement with the LRS's `authority`: the API key that sent it, as an Agent account of this LRS (xAPI: the LRS
 * sets the authority from the credentials; what a client claims is not taken).
 */
function withAuthority(statement: unknown, principal: Principal, request: Request): unknown {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return statement;
  const homePage = `${request.protocol}://${request.get('host') ?? 'localhost'}/v1/api-keys`;
  return { ...statement, authority: { objectType: 'Agent', name: 'API key', account: { homePage, name: principal.keyId } } };
}

/** A stored statement in the format asked: as stored (`exact`), reduced to identifiers (`ids`), or one language per map (`canonical`). */
function formatted(found: FoundStatement, format: string, languages: string | undefined): Record<string, unknown> {
  if (format === 'ids') return idsFormat(found.statement);
  return format === 'canonical' ? canonicalFormat(found.statement, languages) : found.statement;
}

function asStatement(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('XAPI.NOT_A_STATEMENT', 'the body must be a statement (a JSON object) sent as application/json', 400);
  }
  return body as Record<string, unknown>;
}
