/**
 * The life of a benchmark server child: it announces its URL as the first line on stdout,
 * and closes on SIGTERM or SIGINT, or when the harness that spawned it goes away (its IPC
 * channel disconnects), so a killed harness never leaves a server holding a port.
 */
export function serveUntilShutdown(url: string, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.once('disconnect', shutdown);
  console.log(url);
}
