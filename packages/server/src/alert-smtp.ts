/**
 * A minimal SMTP client over `node:net` for email notifications (no mail library is
 * installed): EHLO, optional AUTH PLAIN, MAIL FROM, RCPT TO, DATA, QUIT on a plain
 * connection — for a local relay or a sink, not for the open internet (no STARTTLS).
 * Every step has a deadline; the reply code of a refusal is reported.
 */
import { connect } from 'node:net';

export interface SmtpOptions {
  host: string;
  port: number;
  /** Name sent with EHLO. Default `slipway`. */
  clientName?: string;
  username?: string;
  password?: string;
  /** Deadline for the whole conversation. Default 10000 ms. */
  timeoutMs?: number;
}

export interface SmtpMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

/** Header values must not smuggle new headers in. */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** RFC 5322 message text with dot-stuffing (RFC 5321 §4.5.2), ending in CRLF. */
export function formatMessage(m: SmtpMessage, date = new Date()): string {
  const headers = [`From: ${oneLine(m.from)}`, `To: ${m.to.map(oneLine).join(', ')}`, `Subject: ${oneLine(m.subject)}`, `Date: ${date.toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'];
  const body = m.text.replace(/\r?\n/g, '\r\n').split('\r\n').map((l) => (l.startsWith('.') ? `.${l}` : l));
  return `${headers.join('\r\n')}\r\n\r\n${body.join('\r\n')}\r\n`;
}

/** Sends one message; resolves with the server's final reply code (250), throws `SmtpError` otherwise. */
export function sendMail(options: SmtpOptions, message: SmtpMessage): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port });
    socket.setEncoding('utf8');
    let buffer = '';
    let settled = false;
    const waiting: ((reply: { code: number; text: string }) => void)[] = [];
    const finish = (err: Error | undefined, code?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(code ?? 0);
    };
    const timer = setTimeout(() => finish(new SmtpError(`SMTP ${options.host}:${options.port} did not finish within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    timer.unref();
    socket.on('error', (err) => finish(new SmtpError(`SMTP ${options.host}:${options.port}: ${err.message}`)));
    socket.on('close', () => finish(new SmtpError(`SMTP ${options.host}:${options.port} closed the connection`)));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // A reply ends with a line `NNN text` (a space after the code); `NNN-` lines continue it.
      for (;;) {
        const lines = buffer.split('\r\n');
        const last = lines.findIndex((l) => /^\d{3}( |$)/.test(l));
        if (last < 0 || last === lines.length - 1) return;
        const text = lines.slice(0, last + 1).join('\n');
        buffer = lines.slice(last + 1).join('\r\n');
        waiting.shift()?.({ code: Number(lines[last]!.slice(0, 3)), text });
      }
    });
    const reply = () => new Promise<{ code: number; text: string }>((r) => waiting.push(r));
    const expect = async (command: string | undefined, ok: readonly number[]) => {
      const next = reply();
      if (command !== undefined) socket.write(`${command}\r\n`);
      const r = await next;
      if (!ok.includes(r.code)) throw new SmtpError(`SMTP ${command?.split(' ')[0] ?? 'greeting'} refused: ${r.text}`, r.code);
      return r.code;
    };
    (async () => {
      await expect(undefined, [220]);
      await expect(`EHLO ${options.clientName ?? 'slipway'}`, [250]);
      if (options.username !== undefined) {
        const token = Buffer.from(`\u0000${options.username}\u0000${options.password ?? ''}`).toString('base64');
        await expect(`AUTH PLAIN ${token}`, [235]);
      }
      await expect(`MAIL FROM:<${oneLine(message.from)}>`, [250]);
      for (const to of message.to) await expect(`RCPT TO:<${oneLine(to)}>`, [250, 251]);
      await expect('DATA', [354]);
      const code = await expect(`${formatMessage(message)}.`, [250]);
      socket.write('QUIT\r\n');
      finish(undefined, code);
    })().catch((err: unknown) => finish(err instanceof Error ? err : new SmtpError(String(err))));
  });
}
