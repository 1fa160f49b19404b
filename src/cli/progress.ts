/** A one-line progress display on a TTY (stderr), silent otherwise so logs and pipes stay clean. */
import type { IndexEvent } from '#engine/indexing/indexer.ts';

export function createProgressLine(stream: NodeJS.WriteStream = process.stderr): {
  update(event: IndexEvent): void;
  end(): void;
} {
  if (!stream.isTTY) return { update() {}, end() {} };
  const started = Date.now();
  let shown = false;
  return {
    update(event) {
      if (event.type !== 'progress') return;
      const done = event.filesProcessed;
      const total = Math.max(event.filesQueued, done);
      const width = 24;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(
        `\r${bar} ${done}/${total} changed files · ${event.filesScanned} scanned · ${event.chunksEmbedded} embedded · ${event.chunksFromCache} cached · ${seconds}s\u001b[K`,
      );
      shown = true;
    },
    end() {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}
