import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { AcceptsContentTypes, ApiKeyGuard, CurrentPrincipal, mediaTypeOf, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import type { Request, Response } from 'express';
import { decodeExportRequest, encodeExportResponse, encodingOf, OTLP_MEDIA_TYPE, type OtlpSignal } from './otlp-proto';
import { ReceiveOtlpCommand } from './receive-otlp.command';

const OTLP_MEDIA_TYPES = [OTLP_MEDIA_TYPE.protobuf, OTLP_MEDIA_TYPE.json];

/**
 * The OTLP/HTTP receiver (OTLP specification 1.x): Export*ServiceRequest bodies in protobuf or OTLP/JSON, gzip or
 * not; 200 with the Export*ServiceResponse (partialSuccess when records were rejected). Errors are rendered as
 * google.rpc.Status by {@link renderOtlpError}. Not in the OpenAPI document: the protocol is OpenTelemetry's
 * (docs/connectors/otlp.md).
 */
@ApiExcludeController()
@Controller('otlp/v1')
@UseGuards(ApiKeyGuard)
export class OtlpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('logs')
  @RequireScope('ingest')
  @AcceptsContentTypes(...OTLP_MEDIA_TYPES)
  async logs(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.receive('logs', principal, request, response);
  }

  @Post('traces')
  @RequireScope('ingest')
  @AcceptsContentTypes(...OTLP_MEDIA_TYPES)
  async traces(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.receive('traces', principal, request, response);
  }

  @Post('metrics')
  @RequireScope('ingest')
  @AcceptsContentTypes(...OTLP_MEDIA_TYPES)
  async metrics(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.receive('metrics', principal, request, response);
  }

  private async receive(signal: OtlpSignal, principal: Principal, request: Request, response: Response): Promise<void> {
    const encoding = encodingOf(mediaTypeOf(request));
    // The raw body, inflated when Content-Encoding is gzip (the app's body parser for /otlp); absent: an empty request.
    const body: unknown = request.body;
    const decoded = decodeExportRequest(signal, Buffer.isBuffer(body) ? body : Buffer.alloc(0), encoding);
    const receipt = await this.commandBus.execute(new ReceiveOtlpCommand(principal.tenant, signal, decoded));
    response.status(200).type(OTLP_MEDIA_TYPE[encoding]).send(encodeExportResponse(signal, receipt.partialSuccess, encoding));
  }
}
