// Copies the files tsc does not emit (the demo page's HTML, CSS and JS) next to the build output,
// so dist/ finds them where the sources do: beside the module that serves them.
import { cpSync, rmSync } from 'node:fs';
import process from 'node:process';

const outDir = process.argv[2] ?? 'dist';
const target = `${outDir}/src/demo/public`;
rmSync(target, { recursive: true, force: true });
cpSync('src/demo/public', target, { recursive: true });
