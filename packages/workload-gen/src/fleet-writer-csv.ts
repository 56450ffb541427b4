/**
 * fleet.csv: the Arrow file's content as long-format CSV with a header,
 *   tenant,timestamp,cpu,mem,net,disk
 * timestamps as ISO-8601 UTC, values as the shortest text that reads back to the same float32,
 * missing values empty. One tenant's rows are formatted and written at a time.
 */
import { FileSink } from './file-sink.js';
import { formatFloat32 } from './float-format.js';
import { METRICS, type Tenant } from './series.js';

export const CSV_HEADER = ['tenant', 'timestamp', ...METRICS].join(',');

export class FleetCsvWriter {
  private readonly sink: FileSink;
  private readonly isoTimes: string[];

  constructor(
    path: string,
    private readonly grid: { start: number; stepMs: number; length: number },
  ) {
    this.sink = new FileSink(path);
    this.sink.writeText(`${CSV_HEADER}\n`);
    // The same timestamps repeat for every tenant: format them once.
    this.isoTimes = Array.from({ length: grid.length }, (_, i) => new Date(grid.start + i * grid.stepMs).toISOString());
  }

  write(tenant: Tenant): void {
    const { cpu, mem, net, disk } = tenant.metrics;
    const id = csvField(tenant.id);
    const lines: string[] = new Array(this.grid.length);
    for (let i = 0; i < this.grid.length; i++) {
      lines[i] =
        `${id},${this.isoTimes[i]},${formatFloat32(cpu[i])},${formatFloat32(mem[i])},${formatFloat32(net[i])},${formatFloat32(disk[i])}\n`;
    }
    this.sink.writeText(lines.join(''));
  }

  get bytesWritten(): number {
    return this.sink.bytesWritten;
  }

  close(durable = false): void {
    this.sink.close(durable);
  }

  abandon(): void {
    this.sink.abandon();
  }
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
