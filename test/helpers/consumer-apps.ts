import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Apps that install `nestjs-sse-hub` from its tarball, the way a user's app does: each in a
 * folder of its own outside the repository, with its own package.json, compiled with
 * `tsc --strict` against the shipped .d.ts and run with plain node.
 */

const run = promisify(execFile);
const ROOT = process.cwd();
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The versions the repository pins (so the npm cache already has them). */
const pinned = (name: string): string =>
  rootManifest.dependencies[name] ?? rootManifest.devDependencies[name] ?? fail(name);
const fail = (name: string): never => {
  throw new Error(`${name} is not a dependency of the repository`);
};

/** Packs the library (`npm run pack`) and returns the tarball's path. */
export async function packLibrary(): Promise<string> {
  const { stdout } = await run(process.execPath, ['scripts/pack.mjs'], {
    cwd: ROOT,
    timeout: 240_000,
  });
  return stdout.trim().split('\n').at(-1)!;
}

export type ConsumerKind = 'nest12-esm-memory' | 'nest12-esm-redis' | 'nest11-cjs';

const NEST_12 = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/jwt'];
const REQUIRED_PEERS = [
  'rxjs',
  'reflect-metadata',
  'class-validator',
  'class-transformer',
  '@opentelemetry/api',
];
const OPTIONAL_PEERS = [
  'ioredis',
  'prom-client',
  '@nestjs/terminus',
  '@nestjs/swagger',
  '@nestjs/event-emitter',
];

/** Each kind's dependencies besides the tarball, as `name@version`. */
const DEPENDENCIES: Record<ConsumerKind, string[]> = {
  'nest12-esm-memory': [...NEST_12, ...REQUIRED_PEERS].map((name) => `${name}@${pinned(name)}`),
  'nest12-esm-redis': [...NEST_12, ...REQUIRED_PEERS, ...OPTIONAL_PEERS].map(
    (name) => `${name}@${pinned(name)}`,
  ),
  'nest11-cjs': [
    '@nestjs/common@11.2.12',
    '@nestjs/core@11.2.12',
    '@nestjs/platform-express@11.2.12',
    '@nestjs/jwt@11.0.2',
    ...REQUIRED_PEERS.map((name) => `${name}@${pinned(name)}`),
  ],
};

/**
 * Writes the app, installs its dependencies and the tarball (from the npm cache where it can:
 * `--prefer-offline`; nothing but the npm registry otherwise), and compiles it with `tsc --strict`.
 * Returns the app's folder.
 */
export async function createConsumerApp(
  parent: string,
  kind: ConsumerKind,
  tarball: string,
): Promise<string> {
  const dir = join(parent, kind);
  const esm = kind !== 'nest11-cjs';
  write(
    dir,
    'package.json',
    JSON.stringify(
      { name: `consumer-${kind}`, private: true, ...(esm ? { type: 'module' } : {}) },
      null,
      2,
    ),
  );
  write(
    dir,
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          // The shipped .d.ts files are checked too: they must compile without the optional peers.
          skipLibCheck: false,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  write(dir, 'src/main.ts', esm ? esmApp(kind === 'nest12-esm-redis') : cjsApp());
  const npm = (args: string[]) =>
    run('npm', args, {
      cwd: dir,
      timeout: 300_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  await npm([
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--save-exact',
    tarball,
    ...DEPENDENCIES[kind],
    `typescript@${pinned('typescript')}`,
    `@types/node@${pinned('@types/node')}`,
  ]);
  await run(
    process.execPath,
    [join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir, '--strict'],
    {
      cwd: dir,
      timeout: 180_000,
    },
  );
  return dir;
}

export interface RunningConsumer {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` on a free port and waits (bounded) for its LISTENING line. */
export async function startConsumerApp(
  dir: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RunningConsumer> {
  const child = spawn(process.execPath, [join(dir, 'dist/main.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the consumer app did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout.on('data', () => {
      const match = /LISTENING (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new ConsumerExitError(code, output));
    });
  });
  return { url, output: () => output, stop: () => stop(child, exited) };
}

/** The app exited before it listened; `output` says why. */
export class ConsumerExitError extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`the consumer app exited with ${code} before listening:\n${output}`);
  }
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

/**
 * A Nest 12 app in ES modules. Its own controller pushes through an injected
 * `NotificationService`; with `withPeers` it also turns on every optional feature (Redis broker,
 * metrics, lifecycle events, a terminus health route, OpenAPI docs).
 */
function esmApp(withPeers: boolean): string {
  return `import 'reflect-metadata';
import { Controller, Get, HttpCode, Injectable, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotificationService, SseModule, type PublishReceipt, type SseModuleOptions } from 'nestjs-sse-hub';
${
  withPeers
    ? `import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import {
  addSseApiDocs,
  BrokerHealthIndicator,
  SseLifecycleEvent,
  SseMetricsService,
  type ConnectionOpenedEvent,
} from 'nestjs-sse-hub';`
    : ''
}

@Controller('app')
class GreetingController {
  constructor(private readonly notifications: NotificationService) {}

  @Post('greet/:clientId')
  @HttpCode(202)
  greet(@Param('clientId') clientId: string): Promise<PublishReceipt> {
    return this.notifications.sendToClient(clientId, 'greeting', { hello: clientId });
  }
}
${
  withPeers
    ? `
@Injectable()
class OpenedStreams {
  readonly clients: string[] = [];

  @OnEvent(SseLifecycleEvent.ConnectionOpened)
  opened(event: ConnectionOpenedEvent): void {
    this.clients.push(event.clientId);
  }
}

@Controller('ops')
class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly metrics: SseMetricsService,
    private readonly opened: OpenedStreams,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.broker.isHealthy('broker')]);
  }

  @Get('metrics')
  scrape(): Promise<string> {
    return (this.metrics.registry as Registry).metrics();
  }

  @Get('opened')
  openedClients(): string[] {
    return this.opened.clients;
  }
}
`
    : ''
}
const env = process.env;
const options: SseModuleOptions = {
  jwtSecret: env.JWT_SECRET ?? '',
  broker: env.SSE_BROKER === 'redis' || env.SSE_BROKER === 'postgres' ? env.SSE_BROKER : 'memory',
  ${withPeers ? `redisUrl: env.REDIS_URL, redisKeyPrefix: env.SSE_REDIS_PREFIX, metrics: true, lifecycleEvents: true,` : ''}
};

@Module({
  imports: [SseModule.forRoot(options)${withPeers ? ', EventEmitterModule.forRoot(), TerminusModule' : ''}],
  controllers: [GreetingController${withPeers ? ', OpsController' : ''}],
  ${withPeers ? 'providers: [OpenedStreams],' : ''}
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], forceCloseConnections: true });
app.enableShutdownHooks();
${
  withPeers
    ? `const docs = await addSseApiDocs(new DocumentBuilder().setTitle('consumer'));
SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, docs.build()), { jsonDocumentUrl: 'docs-json' });`
    : ''
}
await app.listen(0, '127.0.0.1');
console.log('LISTENING ' + (await app.getUrl()).replace('[::1]', '127.0.0.1'));
`;
}

/** A Nest 11 app in CommonJS: it \`require()\`s the ES-module package (Node 20.19+). */
function cjsApp(): string {
  return `import 'reflect-metadata';
import { Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotificationService, SseModule, type PublishReceipt } from 'nestjs-sse-hub';

@Controller('app')
class GreetingController {
  constructor(private readonly notifications: NotificationService) {}

  @Post('greet/:clientId')
  @HttpCode(202)
  greet(@Param('clientId') clientId: string): Promise<PublishReceipt> {
    return this.notifications.sendToClient(clientId, 'greeting', { hello: clientId });
  }
}

@Module({
  imports: [SseModule.forRoot({ jwtSecret: process.env.JWT_SECRET ?? '' })],
  controllers: [GreetingController],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], forceCloseConnections: true });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  console.log('LISTENING ' + (await app.getUrl()).replace('[::1]', '127.0.0.1'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;
}
