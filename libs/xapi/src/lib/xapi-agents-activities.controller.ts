import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { AcceptsBasicAuth, ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import { RequestError } from '@rework-ledger/ingestion';
import type { Principal } from '@rework-ledger/tenancy';
import { agentIdentifier } from './statement-query';
import { ActivitiesDocs, AgentsDocs } from './xapi-resources.openapi';
import { XAPI_STATEMENT_STORE, type XapiStatementStore } from './xapi-statements.store';
import { XapiVersionGuard } from './xapi-version';

const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

/** The parameters a resource takes; any other is a 400. */
function only(query: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw new RequestError('XAPI.INVALID_PARAMETER', `this resource does not take ${unknown.join(', ')}`, 400, unknown[0]);
}

/** xAPI Agents and Activities resources (1.0.3 Communication 2.4, 2.5): what the stored statements say of them (`lrs` scope). */
@Controller('v1/xapi')
@UseGuards(ApiKeyGuard, XapiVersionGuard)
@AcceptsBasicAuth()
export class XapiAgentsActivitiesController {
  constructor(@Inject(XAPI_STATEMENT_STORE) private readonly statements: XapiStatementStore) {}

  /** The Person object of an agent: its identifier and the names the statements gave it. */
  @Get('agents')
  @RequireScope('lrs')
  @AgentsDocs()
  async agents(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    only(query, ['agent']);
    if (typeof query['agent'] !== 'string') throw new RequestError('XAPI.INVALID_PARAMETER', 'agent is required, an Agent as JSON', 400, 'agent');
    const identifier = agentIdentifier(query['agent'], 'agent');
    const names = await this.statements.agentNames(principal.tenant, identifier);
    const [[name, value]] = Object.entries(identifier);
    return { objectType: 'Person', ...(names.length > 0 ? { name: names } : {}), [name]: [value] };
  }

  /**
   * The Activity object with all the statements said of it: their definitions merged in store order, language maps
   * merged language by language (a later statement's text for the same language wins). An activity no statement
   * defines is still an Activity object (xAPI 2.0 4.1.6.4).
   */
  @Get('activities')
  @RequireScope('lrs')
  @ActivitiesDocs()
  async activities(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<Record<string, unknown>> {
    only(query, ['activityId']);
    const activityId = query['activityId'];
    if (typeof activityId !== 'string' || !IRI.test(activityId)) throw new RequestError('XAPI.INVALID_PARAMETER', 'activityId is required, an IRI', 400, 'activityId');
    const definitions = await this.statements.activityDefinitions(principal.tenant, activityId);
    const definition = definitions.reduce<Record<string, unknown>>((merged, next) => mergeDefinition(merged, next), {});
    return { objectType: 'Activity', id: activityId, ...(definitions.length > 0 ? { definition } : {}) };
  }
}

const LANGUAGE_MAPS = ['name', 'description'];

function mergeDefinition(merged: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const result = { ...merged, ...next };
  for (const map of LANGUAGE_MAPS) {
    const [before, after] = [merged[map], next[map]];
    if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null) result[map] = { ...before, ...after };
  }
  return result;
}
