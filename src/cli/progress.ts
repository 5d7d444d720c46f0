/**
 * The terminal reporter: on a TTY one live status line (active steps with progress, rate and
 * ETA) over plain event lines; elsewhere (CI, pipes) plain lines only, progress at most every
 * 10% and never more often than every 15 s, so logs stay short.
 */
import type { Reporter } from "../engine/progress.js";

interface Bar {
  step: string;
  label: string;
  total: number;
  unit: string;
  done: number;
  info: string;
  start: number;
  lastPrintedFraction: number;
  lastPrintedAt: number;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

function describe(bar: Bar, now: number): string {
  const elapsed = (now - bar.start) / 1000;
  const rate = elapsed > 0 ? bar.done / elapsed : 0;
  const eta = rate > 0 ? (bar.total - bar.done) / rate : Infinity;
  const pct = bar.total > 0 ? Math.min(100, (100 * bar.done) / bar.total) : 0;
  const rateText = rate >= 100 ? rate.toFixed(0) : rate.toFixed(2);
  // ETA before the rate: on a narrow terminal the line is cut at the end.
  return `${bar.step} ${bar.label} ${bar.done}/${bar.total} ${bar.unit} (${pct.toFixed(0)}%) ETA ${fmtSeconds(eta)} ${rateText} ${bar.unit}/s${bar.info ? ` ${bar.info}` : ""}`;
}

export function createReporter(out: NodeJS.WriteStream = process.stderr, tty = Boolean(out.isTTY) && !process.env.CI): Reporter {
  const bars = new Set<Bar>();
  let statusShown = false;
  let lastDraw = 0;

  const clearStatus = () => {
    if (tty && statusShown) {
      out.write("\r\x1b[2K");
      statusShown = false;
    }
  };
  const drawStatus = (force = false) => {
    if (!tty || bars.size === 0) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const text = [...bars].map((b) => describe(b, now)).join(" | ");
    const width = out.columns ?? 120;
    out.write(`\r\x1b[2K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
    statusShown = true;
  };
  const line = (text: string) => {
    clearStatus();
    out.write(`${text}\n`);
    drawStatus(true);
  };

  return {
    stepStarted(step, type, reason) {
      line(`▶ ${step} (${type}): ${reason}`);
    },
    stepFinished(step, status, seconds, reason) {
      const mark = { ran: "✓", cached: "=", failed: "✗", skipped: "-" }[status];
      const detail = status === "cached" ? "cached" : status === "ran" ? `done in ${fmtSeconds(seconds)}` : `${status}: ${reason}`;
      line(`${mark} ${step} ${detail}`);
    },
    log(step, message) {
      line(`  ${step}: ${message}`);
    },
    progress(step, label, total, unit) {
      const bar: Bar = {
        step,
        label,
        total,
        unit,
        done: 0,
        info: "",
        start: Date.now(),
        lastPrintedFraction: 0,
        lastPrintedAt: Date.now(),
      };
      bars.add(bar);
      return {
        tick(n = 1, info) {
          bar.done += n;
          if (info !== undefined) bar.info = info;
          if (tty) return drawStatus();
          const now = Date.now();
          const fraction = bar.total > 0 ? bar.done / bar.total : 0;
          if (fraction - bar.lastPrintedFraction >= 0.1 && now - bar.lastPrintedAt >= 15_000) {
            bar.lastPrintedFraction = fraction;
            bar.lastPrintedAt = now;
            line(`  ${describe(bar, now)}`);
          }
        },
        done(info) {
          if (info !== undefined) bar.info = info;
          bars.delete(bar);
          line(`  ${describe({ ...bar, done: bar.total }, Date.now())}`.replace(/ ETA \S+/, ""));
        },
      };
    },
    close() {
      clearStatus();
    },
  };
}
