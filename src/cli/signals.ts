/** Waiting for Ctrl-C (SIGINT) or SIGTERM. */
export function waitForSignal(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    handler = (signal) => resolve(signal);
  });
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    signalled,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
