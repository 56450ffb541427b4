/**
 * Progress for long generations: a cli-progress bar on a terminal, plain lines (every 10%)
 * when stdout is a file or a pipe, so logs stay readable.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, bytes: number): void;
  stop(): void;
}

export function startProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stdout): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} tenants | {mb} MB | {duration_formatted} (eta {eta_formatted})`,
        stream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { mb: '0' });
    return {
      update: (done, bytes) => bar.update(done, { mb: (bytes / 2 ** 20).toFixed(0) }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let nextReport = 0.1;
  return {
    update(done, bytes) {
      const fraction = total === 0 ? 1 : done / total;
      if (fraction + 1e-9 < nextReport && done !== total) return;
      while (nextReport <= fraction + 1e-9) nextReport += 0.1;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(
        `${label}: ${done}/${total} tenants (${Math.round(fraction * 100)}%), ${(bytes / 2 ** 20).toFixed(0)} MB, ${seconds} s\n`,
      );
    },
    stop() {},
  };
}
