/**
 * A CKAN-style paged API for `bench:sources`, in a process of its own so that serving does not share the measured
 * client's event loop: `offset`/`limit` over `ROWS` records held as ready page bodies, so every contender is served
 * the same bytes at the same cost. Prints its port once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const rows = Number(process.env.ROWS ?? 1_000_000);
const size = Number(process.env.PAGE_SIZE ?? 10_000);
const pages = new Map<number, Buffer>();
for (let offset = 0; offset <= rows; offset += size) {
  const records = [];
  for (let i = offset; i < Math.min(rows, offset + size); i++)
    records.push({
      _id: i + 1,
      area: `area-${i % 97}`,
      amount: (i * 7.31) % 10_000,
      day: `2026-0${(i % 9) + 1}-1${i % 10}`,
    });
  pages.set(offset, Buffer.from(JSON.stringify({ success: true, result: { records, total: rows } })));
}
const server = createServer((req, res) => {
  const offset = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('offset') ?? 0);
  const body = pages.get(offset) ?? Buffer.from('{"success":true,"result":{"records":[]}}');
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
