import { Controller, HttpCode, Inject, Optional, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiKeyGuard, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import type { Request, Response } from 'express';
import { decodeHttpEvents } from './http-event-decoder';
import { IngestEventsDocs } from './events.openapi';
import { EVENT_LOG, type EventLog } from './event-log.port';
import { IngestEventsCommand } from './ingest-events.command';
import { QueueEventsCommand } from './queue-events.command';

@Controller('v1/events')
@UseGuards(ApiKeyGuard)
export class EventsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Optional() @Inject(EVENT_LOG) private readonly eventLog?: EventLog,
  ) {}

  /**
   * One CloudEvent (structured or binary mode) or a batch. 202 with per-event results; a single event sent alone
   * that is invalid gets 400 with the same shape. With an event log (Kafka), valid events are `queued` once the
   * broker has acknowledged them, and the ingestor stores them; without one, they are stored here (`accepted`).
   */
  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @IngestEventsDocs()
  async ingest(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const decoded = decodeHttpEvents(request.headers, body);
    const events = decoded.kind === 'batch' ? decoded.events : [decoded.event];
    const result = this.eventLog
      ? await this.commandBus.execute(new QueueEventsCommand(principal.tenant, events))
      : await this.commandBus.execute(new IngestEventsCommand(principal.tenant, events));
    if (decoded.kind === 'single' && result.rejected.length > 0) response.status(400);
    return result;
  }
}
