import { Body, Controller, Headers, HttpCode, Post, Put, Query, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MAX_BATCH_EVENTS } from '@rework-ledger/contracts';
import { ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import { RequestError } from '@rework-ledger/ingestion';
import type { Principal } from '@rework-ledger/tenancy';
import { isUUID } from 'class-validator';
import type { NextFunction, Request, Response } from 'express';
import { RecordStatementsCommand } from './record-statements.command';
import { PostStatementsDocs, PutStatementDocs } from './xapi-statements.openapi';

/** The xAPI version this LRS speaks, sent on every response of its routes. */
export const XAPI_VERSION = '1.0.3';
export const XAPI_VERSION_HEADER = 'X-Experience-API-Version';

/** Sets the version header before guards run, so that errors (a 401 too) carry it. */
export function xapiVersionHeader(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader(XAPI_VERSION_HEADER, XAPI_VERSION);
  next();
}

/** xAPI 1.0.3 Statement resource (POST and PUT) of a Learning Record Store; the tenant is the API key's. */
@Controller('v1/xapi/statements')
@UseGuards(ApiKeyGuard)
export class XapiStatementsController {
  constructor(private readonly commandBus: CommandBus) {}

  /** One statement or an array: 200 with the statement ids in order, or 400 with every reason and nothing stored. */
  @Post()
  @HttpCode(200)
  @RequireScope('ingest')
  @PostStatementsDocs()
  async post(@CurrentPrincipal() principal: Principal, @Headers(XAPI_VERSION_HEADER) version: string | undefined, @Body() body: unknown): Promise<readonly string[]> {
    checkVersion(version);
    const statements = Array.isArray(body) ? body : [asStatement(body)];
    if (statements.length > MAX_BATCH_EVENTS) {
      throw new RequestError('REQUEST.TOO_MANY_STATEMENTS', `a batch holds at most ${MAX_BATCH_EVENTS} statements; this one has ${statements.length}`, 413);
    }
    const { ids } = await this.commandBus.execute(new RecordStatementsCommand(principal.tenant, statements, new Date()));
    return ids;
  }

  /** One statement under the id given as `statementId`: 204. */
  @Put()
  @HttpCode(204)
  @RequireScope('ingest')
  @PutStatementDocs()
  async put(
    @CurrentPrincipal() principal: Principal,
    @Headers(XAPI_VERSION_HEADER) version: string | undefined,
    @Query('statementId') statementId: unknown,
    @Body() body: unknown,
  ): Promise<void> {
    checkVersion(version);
    if (typeof statementId !== 'string' || !isUUID(statementId, 'all')) {
      throw new RequestError('XAPI.INVALID_STATEMENT_ID', 'statementId must be given as a UUID', 400, 'statementId');
    }
    const statement = asStatement(body);
    const id = statement['id'];
    if (id !== undefined && (typeof id !== 'string' || id.toLowerCase() !== statementId.toLowerCase())) {
      throw new RequestError('XAPI.STATEMENT_ID_MISMATCH', 'the statement id differs from statementId', 400, 'id');
    }
    await this.commandBus.execute(new RecordStatementsCommand(principal.tenant, [{ ...statement, id: statementId }], new Date()));
  }
}

/** Requests may omit the version header; one that names a version other than 1.0.x is refused. */
function checkVersion(version: string | undefined): void {
  if (version !== undefined && !/^1\.0(\.\d+)?$/.test(version.trim())) {
    throw new RequestError('XAPI.UNSUPPORTED_VERSION', `this LRS speaks xAPI ${XAPI_VERSION}; ${XAPI_VERSION_HEADER} was "${version}"`, 400, XAPI_VERSION_HEADER);
  }
}

function asStatement(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('XAPI.NOT_A_STATEMENT', 'the body must be a statement (a JSON object) sent as application/json', 400);
  }
  return body as Record<string, unknown>;
}
