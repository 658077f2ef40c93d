/**
 * The folder of the page's static files, next to this module: `src/demo/public/` when run from
 * the TypeScript sources (tests), `dist/src/demo/public/` in the build (`npm run build` copies it).
 */
export const DEMO_ASSETS_DIR = new URL('./public/', import.meta.url);
