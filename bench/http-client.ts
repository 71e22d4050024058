/**
 * Single requests whose time is measured (cold start, promotion, probes): `node:http` on
 * a keep-alive agent. `fetch` would add about half a millisecond of its own per request
 * on a small machine — more than some of the latencies being measured.
 */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true });

/** POSTs JSON (with `headers`, e.g. a bearer token); resolves with the parsed 200 answer and the time from sending to the last byte. Throws on any other status. */
export function postJson<T>(url: string, body: string, headers: Record<string, string> = {}): Promise<{ answer: T; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`POST ${url} answered ${res.statusCode}: ${text.slice(0, 500)}`));
        try {
          resolve({ answer: JSON.parse(text) as T, ms });
        } catch (error) {
          reject(new Error(`POST ${url} answered 200 with a body that is not JSON: ${text.slice(0, 200)}`, { cause: error }));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
