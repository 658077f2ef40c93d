import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/bootstrap.js';
import type { Broker } from './brokers.js';
import { TEST_SECRET } from './tokens.js';

export interface TestApp {
  readonly app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:43210 */
  readonly url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Which broker the app runs on. */
  readonly broker?: Broker;
  /** Environment variables for this app, on top of the test defaults. */
  readonly env?: Record<string, string>;
}

/**
 * Starts the reference app, configured from the environment exactly as `npm start` is, on a free
 * port of 127.0.0.1. The environment is set only while the app is built.
 */
export async function createTestApp({ broker = 'memory', env = {} }: TestAppOptions = {}): Promise<TestApp> {
  const settings: Record<string, string> = {
    JWT_SECRET: TEST_SECRET,
    NODE_ENV: 'test',
    SSE_DEMO_FEED: 'off',
    SSE_BROKER: broker,
    ...env,
  };
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  let app: INestApplication;
  try {
    app = await createApp({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}
