import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LedgerError } from '@rework-ledger/domain';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_NOT_BUILT_PAGE } from './dashboard.page';

/**
 * Where `npm run build` puts the dashboard (apps/dashboard, built by Vite): dist/dashboard at the workspace root, seen
 * from the compiled server (dist/apps/api/src) or from its sources (apps/api/src, under jest).
 */
const DASHBOARD_DIRS = [join(__dirname, '..', '..', '..', 'dashboard'), join(__dirname, '..', '..', '..', 'dist', 'dashboard')];

/** The built dashboard, looked up per request: a build made while the server runs is served at once. */
export function dashboardDir(): string | undefined {
  return DASHBOARD_DIRS.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Vite names assets `<name>-<hash>.<ext>` in one flat folder: nothing else is served from it. */
const ASSET_NAME = /^[A-Za-z0-9_.-]+\.(js|css|svg|png|woff2?)$/;

export class UnknownAssetError extends LedgerError {
  constructor(file: string) {
    super('NOT_FOUND.ASSET', `no dashboard asset is named ${file}`, 'file');
  }
}

/** GET /: the dashboard, a static single-page app that calls the API with the key its user enters. */
@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  dashboard(@Res() response: Response): void {
    const dir = dashboardDir();
    // The page names the current build's assets: always ask again.
    response.setHeader('Cache-Control', 'no-cache');
    if (!dir) {
      response.status(200).type('html').send(DASHBOARD_NOT_BUILT_PAGE);
      return;
    }
    response.type('html').sendFile('index.html', { root: dir });
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const dir = dashboardDir();
    if (!dir || !ASSET_NAME.test(file) || !existsSync(join(dir, 'assets', file))) throw new UnknownAssetError(file);
    // Hashed names change with their content: cache them for good.
    response.sendFile(file, { root: join(dir, 'assets'), maxAge: '365d', immutable: true });
  }
}
