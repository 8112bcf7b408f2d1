// One scenario in this process: `node bench/scenario.mjs <name> [--quick]`. Prints its result
// as the last line (`BENCH_RESULT {json}`), with this process's peak RSS, for bench/run.mjs.
const [name, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
if (!name) {
  console.error('usage: node bench/scenario.mjs <name> [--quick]');
  process.exit(2);
}
const mod = await import(`./scenarios/${name}.mjs`);
// Results and any stray output go to stdout; the parent reads the BENCH_RESULT line.
const result = await mod.run({ quick });
const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const targets = [...result.targets];
if (result.wallTarget != null)
  targets.push({
    name: `wall ≤ ${result.wallTarget} s`,
    want: `${result.wallTarget}`,
    actual: `${result.wallSeconds}`,
    pass: result.wallSeconds <= result.wallTarget,
    kind: 'timing',
  });
if (result.rssTarget != null)
  targets.push({
    name: `peak RSS ≤ ${result.rssTarget} MB`,
    want: `${result.rssTarget}`,
    actual: `${peakRssMb}`,
    pass: peakRssMb <= result.rssTarget,
    kind: 'timing',
  });
const { wallTarget: _w, rssTarget: _r, ...rest } = result;
process.stdout.write(
  `\nBENCH_RESULT ${JSON.stringify({ scenario: name, quick, ...rest, peakRssMb, targets })}\n`,
);
process.exit(0);
