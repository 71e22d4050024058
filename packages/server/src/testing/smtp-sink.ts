/**
 * Test support: a local SMTP sink on `node:net` that accepts every message (optionally
 * requiring AUTH PLAIN with given credentials) and keeps what it received.
 */
import { type AddressInfo, type Server, createServer } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  auth: string | null;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(options: { requireAuth?: { username: string; password: string } } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let mail: ReceivedMail = { from: '', to: [], data: '', auth: null };
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 sink ESMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(mail);
            mail = { from: '', to: [], data: '', auth: mail.auth };
            say('250 2.0.0 queued');
          } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const [verb = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            say('250-sink greets you');
            say('250 AUTH PLAIN');
            break;
          case 'AUTH': {
            const [, user = '', pass = ''] = Buffer.from(arg.replace(/^PLAIN /, ''), 'base64').toString('utf8').split('\u0000');
            const want = options.requireAuth;
            if (want !== undefined && (user !== want.username || pass !== want.password)) say('535 5.7.8 authentication failed');
            else {
              mail.auth = user;
              say('235 2.7.0 authenticated');
            }
            break;
          }
          case 'MAIL':
            if (options.requireAuth !== undefined && mail.auth === null) say('530 5.7.0 authentication required');
            else {
              mail.from = arg.replace(/^FROM:<(.*)>$/i, '$1');
              say('250 ok');
            }
            break;
          case 'RCPT':
            mail.to.push(arg.replace(/^TO:<(.*)>$/i, '$1'));
            say('250 ok');
            break;
          case 'DATA':
            inData = true;
            say('354 end with .');
            break;
          case 'QUIT':
            say('221 bye');
            socket.end();
            break;
          default:
            say('502 not implemented');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
