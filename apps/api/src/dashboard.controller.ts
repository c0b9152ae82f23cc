import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_PAGE } from './dashboard.page';

/** GET /: the dashboard (a static page that calls the API with the key the user enters). */
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  dashboard(): string {
    return DASHBOARD_PAGE;
  }
}
