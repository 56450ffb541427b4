/**
 * The outputs (summary.md, progress.png, hypothesis_tree.png, report.md) are written by the report
 * module, src/report/, from durable workdir files. It is loaded by a computed specifier so the
 * workflow neither fails to compile nor fails to run while that module is absent or broken: the
 * run's results are in tree.json and the ledgers either way.
 *
 * Regeneration after each completion runs in the background, one at a time: a slow chart must not
 * hold the scheduler loop, and a completion that lands while one runs just asks for one more.
 */
import { fileURLToPath } from 'node:url';

export interface ReportModule {
  writeOutputs?: (workdir: string) => Promise<unknown>;
}

const REPORT_MODULE = new URL('../report/index.js', import.meta.url);

export async function loadReportModule(): Promise<ReportModule | undefined> {
  try {
    return (await import(REPORT_MODULE.href)) as ReportModule;
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(fileURLToPath(REPORT_MODULE).replace(/\.js$/, ''));
    if (missing) return undefined;
    throw error;
  }
}

export class OutputsWriter {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly workdir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts a regeneration (or queues one after the current); never throws. */
  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.writeOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.request();
      }
    });
  }

  /** Waits for regenerations in flight (before the final report, or exit). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async writeOnce(): Promise<void> {
    try {
      const module = await loadReportModule();
      if (typeof module?.writeOutputs !== 'function') return;
      await module.writeOutputs(this.workdir);
    } catch (error) {
      this.log(`outputs not updated: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
