import { Controller, Get } from '@nestjs/common';
import { AboutDocs } from './xapi-resources.openapi';
import { XAPI_VERSIONS } from './xapi-version';

/** xAPI About resource: public, as clients read it to learn which versions to speak before they authenticate. */
@Controller('v1/xapi/about')
export class XapiAboutController {
  /** The versions this LRS speaks. */
  @Get()
  @AboutDocs()
  about(): { version: readonly string[]; extensions: Record<string, never> } {
    return { version: XAPI_VERSIONS, extensions: {} };
  }
}
