/**
 * Regenerates the outputs (summary.md, progress.png, hypothesis_tree.png, report.md) after each
 * completion, in the background and one at a time: a slow chart must not hold the scheduler
 * loop, and a completion that lands while one runs just asks for one more. A failure costs the
 * refresh, never the run: the results are in tree.json and the ledgers either way.
 */
import { writeOutputs } from './write-outputs.js';

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
      await writeOutputs(this.workdir);
    } catch (error) {
      this.log(`outputs not updated: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
