/**
 * The reference app serves GET /sse from the HTTP server (`SSE_STREAM_ENDPOINT=http-server`).
 * The `e2e-controller` project runs the stream suites again with the Nest controller serving it,
 * the default for host apps, so both ways are held to the same tests.
 */
process.env.SSE_STREAM_ENDPOINT = 'controller';
