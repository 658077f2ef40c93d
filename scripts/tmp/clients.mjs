import net from 'node:net';
import jwt from 'jsonwebtoken';
const [port, n] = [Number(process.argv[2]), Number(process.argv[3])];
let ready = 0;
const sockets = [];
for (let i = 0; i < n; i++) {
  const token = jwt.sign({ sub: `c${i}` }, 's', { expiresIn: '2h' });
  const s = net.connect(port, '127.0.0.1', () => s.write(`GET /sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`));
  s.once('data', () => { if (++ready === n) process.send('ready'); });
  sockets.push(s);
}
process.on('message', () => process.exit(0));
