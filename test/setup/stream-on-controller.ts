/**
 * The reference app serves GET /sse as the module's default has it, from the HTTP server. The
 * `e2e-controller` project runs the stream suites again with the Nest controller serving it
 * (`streamEndpoint: 'controller'`, the opt-in for hosts whose guards and interceptors must see
 * the stream), so both ways are held to the same tests.
 */
process.env.SSE_STREAM_ENDPOINT = 'controller';
