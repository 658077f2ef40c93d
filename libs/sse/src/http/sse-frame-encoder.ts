import type { StreamMessage } from '../application/stream-message.js';

const LINE_BREAK = /\r\n|\r|\n/;
const encoded = new WeakMap<StreamMessage, string>();
const encodedBytes = new WeakMap<StreamMessage, Buffer>();

/**
 * The SSE wire form of a frame, in the format Nest's SseStream writes: `event:`, `id:`, `retry:`,
 * comment and one `data:` line per line of the payload, then a blank line. Field values cannot
 * carry a line break into the frame. Frames of events are shared by every connection that gets
 * the event, so each is encoded once and remembered.
 */
export function encodeFrame(message: StreamMessage): string {
  let frame = encoded.get(message);
  if (frame === undefined) {
    frame = format(message);
    encoded.set(message, frame);
  }
  return frame;
}

/**
 * The frame as UTF-8 bytes, also made once per event: a frame written alone goes out as these
 * bytes, so a broadcast does not encode the same text again for every socket.
 */
export function encodeFrameBytes(message: StreamMessage): Buffer {
  let bytes = encodedBytes.get(message);
  if (bytes === undefined) {
    bytes = Buffer.from(encodeFrame(message), 'utf8');
    encodedBytes.set(message, bytes);
  }
  return bytes;
}

function format(message: StreamMessage): string {
  let frame = '';
  if (message.type !== undefined) frame += `event: ${singleLine(message.type)}\n`;
  if (message.id !== undefined) frame += `id: ${singleLine(message.id)}\n`;
  if (message.retry !== undefined) frame += `retry: ${singleLine(String(message.retry))}\n`;
  if (message.comment !== undefined) frame += prefixLines(message.comment, ': ');
  if (message.data !== undefined) frame += prefixLines(message.data, 'data: ');
  return `${frame}\n`;
}

function singleLine(value: string): string {
  return value.replace(/[\r\n]/g, '');
}

function prefixLines(value: string, prefix: string): string {
  let out = '';
  for (const line of value.split(LINE_BREAK)) {
    out += `${prefix}${line}\n`;
  }
  return out;
}
