import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { NotificationService } from '../../libs/sse/src/index.js';
import { nowUs } from '../lib/histogram.js';
import { clientId, EVENT_TYPE, type BenchData } from '../lib/protocol.js';

/** Sends in flight at once: enough to keep the hub busy, few enough to keep its queue short. */
const IN_FLIGHT = 100;

/**
 * Bench only: targeted sends made inside the app with `NotificationService.sendToClient`, as a
 * host app's own code would, round robin over `clients` as the publisher process does over HTTP.
 * What publishing costs without HTTP, body parsing and validation in front of it.
 */
@Controller('bench')
export class InProcessSendsController {
  constructor(private readonly notifications: NotificationService) {}

  @Post('in-process-sends')
  @HttpCode(200)
  async run(@Body() { phase, clients, durationMs }: { phase: number; clients: number; durationMs: number }) {
    const padding = 'x'.repeat(64);
    const started = nowUs();
    const endAt = started + durationMs * 1000;
    let next = 0;
    let failed = 0;
    const sender = async (): Promise<void> => {
      while (nowUs() < endAt) {
        const k = next++;
        const data: BenchData = { p: phase, s: Math.floor(k / clients), t: Math.round(nowUs()), x: padding };
        await this.notifications.sendToClient(clientId(k % clients), EVENT_TYPE, data).catch(() => failed++);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    return { sent: next, failed, elapsedMs: (nowUs() - started) / 1000 };
  }
}
