// `npm run pack`: builds libs/sse into the npm package `nestjs-sse-hub` (ES modules + .d.ts in
// libs/sse/dist) and writes its tarball into dist/pack/. Prints the tarball's path on the last
// line, which the package-consumer e2e suite reads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const library = join(root, 'libs/sse');
const destination = join(root, 'dist/pack');

// A clean build: a file left from an earlier build (a renamed module) must not ship.
rmSync(join(library, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(library, 'tsconfig.lib.json')], {
  stdio: 'inherit',
});
mkdirSync(destination, { recursive: true });
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', library, '--json', '--pack-destination', destination], { encoding: 'utf8' }),
);
const tarball = join(destination, packed.filename);
console.error(`${packed.name}@${packed.version}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`);
console.log(tarball);
