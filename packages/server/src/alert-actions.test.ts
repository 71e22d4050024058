import { describe, expect, it } from 'vitest';
import { MAX_ACTION_OUTPUT, runAction } from './alert-actions.js';
import { closedPort, startHttpReceiver } from './testing/http-receiver.js';

const now = () => Date.UTC(2026, 10, 1);
const node = process.execPath;

describe('command actions', () => {
  it('runs argv without a shell, evidence on stdin, output captured', async () => {
    const outcome = await runAction({ command: { argv: [node, '-e', 'process.stdin.on("data", (d) => process.stdout.write("got " + JSON.parse(d).pipeline)); ', '$(touch /tmp/x)'], timeout: '10s' } }, { pipeline: 'credit-risk' }, { now });
    expect(outcome).toMatchObject({ kind: 'command', target: node, ok: true, exitCode: 0, output: 'got credit-risk' });
  });

  it('bounds the output, reports the exit code, and kills a command past its timeout', async () => {
    const loud = await runAction({ command: { argv: [node, '-e', 'process.stdout.write("x".repeat(100000)); process.exit(3)'], timeout: '10s' } }, {}, { now });
    expect(loud).toMatchObject({ ok: false, exitCode: 3, error: 'exited with 3' });
    expect(loud.output).toHaveLength(MAX_ACTION_OUTPUT);
    const slow = await runAction({ command: { argv: [node, '-e', 'setTimeout(() => {}, 60000)'], timeout: '300ms' } }, {}, { now });
    expect(slow).toMatchObject({ ok: false, error: 'killed after 300ms (timeout)' });
    expect(slow.ms).toBeLessThan(5000);
    const missing = await runAction({ command: { argv: ['/nonexistent/retrain'], timeout: '1s' } }, {}, { now });
    expect(missing).toMatchObject({ ok: false, exitCode: null, error: expect.stringMatching(/ENOENT/) as unknown });
  });
});

describe('webhook actions', () => {
  it('posts the evidence and records the answer; a receiver that is down is a failed outcome, not a throw', async () => {
    const receiver = await startHttpReceiver([500]);
    try {
      const outcome = await runAction({ webhook: { url: `${receiver.url}/ci?token=abc` } }, { pipeline: 'credit-risk' }, { now });
      expect(outcome).toMatchObject({ kind: 'webhook', target: `${receiver.url}/ci`, ok: false, status: 500 });
      expect(JSON.parse(receiver.received[0]!.body)).toEqual({ pipeline: 'credit-risk' });
      expect(receiver.received[0]!.headers['x-slipway-signature']).toBeUndefined();
    } finally {
      await receiver.close();
    }
    const down = await runAction({ webhook: { url: `http://127.0.0.1:${await closedPort()}/ci` } }, {}, { now });
    expect(down).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) as unknown });
  });
});
