/**
 * An incremental reader of one HTTP/1.1 SSE response, fed raw socket bytes: the status line and
 * headers, then the body, de-chunked when `Transfer-Encoding: chunked` (what Node sends to a 1.1
 * request without Content-Length), then the event stream (WHATWG rules: lines end with CRLF, LF
 * or CR; `:` starts a comment; `field: value` with one optional space; a blank line dispatches an
 * event if it has data). Bytes are decoded as latin1: every field and line break the benchmark
 * looks at is ASCII, and latin1 never splits a character across chunks.
 */
export interface SseHandlers {
  onHeaders(status: number, headers: Map<string, string>): void;
  onEvent(type: string, data: string, lastEventId: string): void;
  onComment(): void;
  /** The response ended (the last chunk, or a body framing error). */
  onEnd(error?: string): void;
}

const enum BodyState {
  Headers,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Raw,
  Done,
}

export class SseResponseParser {
  private state = BodyState.Headers;
  private head = '';
  private sizeLine = '';
  private chunkLeft = 0;
  // SSE line state
  private rest = '';
  private skipLeadingLf = false;
  private type = '';
  private data = '';
  private hasData = false;
  private lastEventId = '';

  constructor(private readonly handlers: SseHandlers) {}

  get ended(): boolean {
    return this.state === BodyState.Done;
  }

  push(buffer: Buffer): void {
    let at = 0;
    const length = buffer.length;
    while (at < length && this.state !== BodyState.Done) {
      switch (this.state) {
        case BodyState.Headers: {
          this.head += buffer.toString('latin1', at, length);
          at = length;
          const end = this.head.indexOf('\r\n\r\n');
          if (end === -1) {
            if (this.head.length > 16384) this.fail('response headers too long');
            break;
          }
          const body = this.head.slice(end + 4);
          this.parseHead(this.head.slice(0, end));
          this.head = '';
          if (body.length > 0 && !this.ended) {
            this.push(Buffer.from(body, 'latin1'));
          }
          return;
        }
        case BodyState.ChunkSize: {
          const byte = buffer[at++];
          if (byte === 0x0a) {
            const size = parseInt(this.sizeLine, 16);
            this.sizeLine = '';
            if (!Number.isFinite(size) || size < 0) {
              this.fail('bad chunk size');
            } else if (size === 0) {
              this.finish();
            } else {
              this.chunkLeft = size;
              this.state = BodyState.ChunkData;
            }
          } else if (byte !== 0x0d) {
            if (this.sizeLine.length > 32) this.fail('chunk size line too long');
            else this.sizeLine += String.fromCharCode(byte);
          }
          break;
        }
        case BodyState.ChunkData: {
          const take = Math.min(this.chunkLeft, length - at);
          this.feed(buffer.toString('latin1', at, at + take));
          at += take;
          this.chunkLeft -= take;
          if (this.chunkLeft === 0) this.state = BodyState.ChunkDataEnd;
          break;
        }
        case BodyState.ChunkDataEnd: {
          const byte = buffer[at++];
          if (byte === 0x0a) this.state = BodyState.ChunkSize;
          else if (byte !== 0x0d) this.fail('chunk not followed by CRLF');
          break;
        }
        case BodyState.Raw:
          this.feed(buffer.toString('latin1', at, length));
          at = length;
          break;
      }
    }
  }

  /** The socket closed: an unchunked body ends here; anything else ended early. */
  close(): void {
    if (this.state === BodyState.Done) return;
    if (this.state === BodyState.Raw) this.finish();
    else this.fail('connection closed mid-response');
  }

  private parseHead(head: string): void {
    const lines = head.split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    this.state = /\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')
      ? BodyState.ChunkSize
      : BodyState.Raw;
    this.handlers.onHeaders(status, headers);
  }

  private finish(): void {
    this.state = BodyState.Done;
    this.handlers.onEnd();
  }

  private fail(error: string): void {
    this.state = BodyState.Done;
    this.handlers.onEnd(error);
  }

  /** Event-stream text: splits lines, keeping an unfinished one for the next call. */
  private feed(text: string): void {
    let start = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 0x0a) start = 1;
    }
    let input =
      this.rest.length > 0 ? this.rest + text.slice(start) : start ? text.slice(start) : text;
    this.rest = '';
    start = 0;
    if (input.indexOf('\r') === -1) {
      // The usual case: LF only.
      let end: number;
      while ((end = input.indexOf('\n', start)) !== -1) {
        this.line(input.slice(start, end));
        start = end + 1;
      }
      this.rest = start === 0 ? input : input.slice(start);
      return;
    }
    for (let i = 0; i < input.length; i++) {
      const code = input.charCodeAt(i);
      if (code === 0x0a || code === 0x0d) {
        this.line(input.slice(start, i));
        if (code === 0x0d) {
          if (i + 1 === input.length) this.skipLeadingLf = true;
          else if (input.charCodeAt(i + 1) === 0x0a) i++;
        }
        start = i + 1;
      }
    }
    input = input.slice(start);
    this.rest = input;
  }

  private line(line: string): void {
    if (line.length === 0) {
      if (this.hasData) {
        this.handlers.onEvent(this.type || 'message', this.data, this.lastEventId);
      }
      this.type = '';
      this.data = '';
      this.hasData = false;
      return;
    }
    if (line.charCodeAt(0) === 0x3a) {
      this.handlers.onComment();
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = '';
    if (colon !== -1) {
      value = line.charCodeAt(colon + 1) === 0x20 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        // `retry` and unknown fields: nothing the benchmark counts.
        break;
    }
  }
}

/**
 * Checks the parser on a response cut at every possible byte boundary: the counting of events
 * only means something if no split of the stream can lose or invent one. Throws on a mismatch.
 */
export function selfTestParser(): void {
  const body = [
    '\n',
    'retry: 3000\nevent: connected\nid: 0-0\ndata: {"clientId":"a"}\n\n',
    ': heartbeat\n\n',
    'id: 1-0\r\nevent: bench\r\ndata: {"p":1,"s":0}\r\n\r\n',
    'id: 1-1\revent: bench\rdata: line1\rdata: line2\r\r',
    'data:no-space\n\n',
    'event: empty\n\n',
  ];
  const chunked = body
    .map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`)
    .join('');
  const wire = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
      chunked +
      '0\r\n\r\n',
    'latin1',
  );
  const expected = JSON.stringify([
    'H200',
    'E connected 0-0 {"clientId":"a"}',
    'C',
    'E bench 1-0 {"p":1,"s":0}',
    'E bench 1-1 line1\nline2',
    'E message 1-1 no-space',
    'END',
  ]);
  for (let cut1 = 0; cut1 < wire.length; cut1++) {
    for (const cut2 of [cut1 + 1, cut1 + 7, wire.length]) {
      const seen: string[] = [];
      const parser = new SseResponseParser({
        onHeaders: (status) => seen.push(`H${status}`),
        onEvent: (type, data, id) => seen.push(`E ${type} ${id} ${data}`),
        onComment: () => seen.push('C'),
        onEnd: (error) => seen.push(error ? `ERR ${error}` : 'END'),
      });
      parser.push(wire.subarray(0, cut1));
      parser.push(wire.subarray(cut1, Math.min(cut2, wire.length)));
      parser.push(wire.subarray(Math.min(cut2, wire.length)));
      if (JSON.stringify(seen) !== expected) {
        throw new Error(
          `SSE parser self-test failed at cuts ${cut1}/${cut2}: ${JSON.stringify(seen)}`,
        );
      }
    }
  }
}
