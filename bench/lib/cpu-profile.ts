import { readFileSync } from 'node:fs';

/** Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions and code areas by self time. */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

/** A span of CLOCK_MONOTONIC microseconds: V8 stamps samples with the clock nowUs() reads. */
export interface TimeWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** What the samples were limited to, if anything (e.g. the measured phases, without start-up). */
  readonly scope: string;
  readonly totalMs: number;
  readonly functions: SelfTime[];
  readonly areas: SelfTime[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Where a function lives: a package, node's internals, the hub's own code, or V8 itself. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const short = shortUrl(url);
  if (short.startsWith('dist/libs/')) return 'hub: libs/sse';
  if (short.startsWith('dist/src/')) return 'hub: src';
  const parts = short.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

export function summarizeProfile(
  file: string,
  options: { top?: number; windows?: TimeWindow[]; scope?: string } = {},
): ProfileSummary {
  const { top = Number(process.env.BENCH_PROFILE_TOP ?? 15), windows, scope = 'whole process' } = options;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const inScope = (atUs: number): boolean =>
    !windows || windows.some((window) => atUs >= window.fromUs && atUs <= window.toUs);
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (inScope(at)) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  let totalUs = 0;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') continue;
    totalUs += us;
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : name;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / (totalUs || 1) }));
  return { file, scope, totalMs: totalUs / 1000, functions: rank(functions), areas: rank(areas) };
}

export function formatProfile(summary: ProfileSummary): string {
  const line = (entry: SelfTime): string =>
    `  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}`;
  return [
    `CPU profile ${summary.file}, ${summary.scope}: ${(summary.totalMs / 1000).toFixed(1)} s busy (idle excluded)`,
    'Top self time by function:',
    ...summary.functions.map(line),
    'Self time by code area:',
    ...summary.areas.map(line),
  ].join('\n');
}
