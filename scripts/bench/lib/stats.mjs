// Small helpers every bench phase uses: waiting, medians, interleaving order, number formatting.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The median of the finite values (NaN when there are none). */
export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The list started at its n-th element (so interleaved variants take turns going first). */
export const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);
export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);

/**
 * Times each variant once to warm up, then `rounds` times, interleaved with the order rotating each
 * round; logs each round as `${label} r/rounds: variant ms, …` and returns every sample.
 */
export async function sampleInterleaved(variants, rounds, label, log) {
  const names = Object.keys(variants);
  for (const n of names) await variants[n]();
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const line = [];
    for (const n of rotate(names, r)) {
      const ms = await variants[n]();
      samples.push({ round: r, variant: n, ms });
      line.push(`${n} ${fmt(ms, 0)} ms`);
    }
    log(`${label} ${r + 1}/${rounds}: ${line.join(', ')}`);
  }
  return samples;
}
