import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { DEMO_ASSETS_DIR } from './demo-assets.js';

/** The page's files: a fixed list, so no request can name another file. */
const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The page shows whatever anyone publishes, so it allows no inline script, no other origin and
 * no framing: even a value that slipped past its textContent-only rendering could not run.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** GET /: the playground page, and its script and style under /demo/. */
@ApiTags('demo')
@Controller()
export class DemoPageController {
  @Get()
  @ApiOperation({ summary: 'A page to mint or paste a token, connect, subscribe, publish and watch events' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The playground page (HTML)' })
  page(@Res() response: ServerResponse): Promise<void> {
    return send(response, 'index.html');
  }

  @Get('demo/:file')
  @ApiExcludeEndpoint()
  asset(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    if (file === 'index.html' || !Object.hasOwn(ASSETS, file)) {
      throw new NotFoundException();
    }
    return send(response, file);
  }
}

async function send(response: ServerResponse, file: string): Promise<void> {
  // Read on each request: a few small files, and an edited page shows without a restart.
  const body = await readFile(new URL(file, DEMO_ASSETS_DIR));
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': ASSETS[file], 'Content-Length': body.length });
  response.end(body);
}
