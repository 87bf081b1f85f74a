/**
 * Minimal SVG charts for the Markdown report: a line chart over seconds and a
 * horizontal bar chart. Hand-written because the charting libraries that
 * render SVG (Vega, Observable Plot) need a DOM or a large runtime for what
 * is a few polylines; the output is plain SVG 1.1 that GitHub renders.
 */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

const W = 640;
const H = 260;
const PAD = { left: 56, right: 16, top: 28, bottom: 36 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

export function lineChart(title: string, yLabel: string, series: readonly Series[]): string {
  const finite = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = Math.max(1, ...finite.map(([x]) => x));
  const yMax = niceMax(Math.max(0, ...finite.map(([, y]) => y)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (x / xMax) * iw;
  const sy = (y: number) => PAD.top + ih - (y / yMax) * ih;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  parts.push(
    `<text x="${PAD.left + iw / 2}" y="${H - 6}" text-anchor="middle">seconds</text>`,
    `<text transform="translate(12 ${PAD.top + ih / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 0) {
      const d = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${d}"/>`);
    }
    const lx = PAD.left + 8 + i * 110;
    parts.push(
      `<rect x="${lx}" y="${PAD.top - 4}" width="10" height="3" fill="${color}"/>`,
      `<text x="${lx + 14}" y="${PAD.top}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function barChart(
  title: string,
  unit: string,
  bars: readonly { label: string; value: number }[],
): string {
  const rowH = 22;
  const h = PAD.top + bars.length * rowH + 16;
  const labelW = 120;
  const iw = W - labelW - 80;
  const max = niceMax(Math.max(0, ...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${h}" fill="#fff"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = PAD.top + i * rowH;
    const v = Number.isFinite(b.value) ? b.value : 0;
    parts.push(
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${((v / max) * iw).toFixed(1)}" height="${rowH - 6}" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${labelW + (v / max) * iw + 4}" y="${y + 14}">${fmt(v)} ${esc(unit)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
